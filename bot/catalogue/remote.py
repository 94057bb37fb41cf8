"""Optional remote catalogue (CATALOGUE_API_URL): products and reviews from an HTTP API.

The API returns `{"products": [...]}` with each product in the same shape as a file under
data/content/products/ (docs/content.md). Every answer is checked like an editor's file. When
the API is slow, down, or answers with something unusable, the bot answers from the local
catalogue, logs why once, and leaves the API alone for a cool-down period.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bot.catalogue.schema import ContentError, Product, parse_product_text
from bot.catalogue.service import LocalCatalogue

logger = logging.getLogger(__name__)


class CatalogueUnavailable(Exception):
    """The remote catalogue could not be used; the message says why."""


@dataclass(frozen=True)
class RemoteSettings:
    base_url: str
    timeout_s: float = 1.5  # per attempt, connect and read
    retries: int = 1  # extra attempts on connection errors and 5xx, with backoff
    backoff_s: float = 0.2
    cache_ttl_s: float = 60.0  # a good answer is reused this long
    cooldown_s: float = 30.0  # after a failure the API is left alone this long


class CatalogueApiClient:
    """One small client for the catalogue API: a session, explicit timeouts, retries with backoff."""

    def __init__(self, settings: RemoteSettings, session: requests.Session | None = None) -> None:
        self._settings = settings
        self._session = session or requests.Session()
        retry = Retry(
            total=settings.retries, connect=settings.retries, read=settings.retries, status=settings.retries,
            backoff_factor=settings.backoff_s, status_forcelist=(500, 502, 503, 504), allowed_methods=("GET",),
            raise_on_status=False,
        )  # fmt: skip
        # urllib3 warns on every retry; the failure is logged once, by RemoteCatalogue, with its reason.
        logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
        self._session.mount("http://", HTTPAdapter(max_retries=retry))
        self._session.mount("https://", HTTPAdapter(max_retries=retry))

    def fetch_products(self) -> list[Product]:
        url = self._settings.base_url.rstrip("/") + "/products"
        try:
            response = self._session.get(url, timeout=self._settings.timeout_s, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except requests.JSONDecodeError as exc:
            raise CatalogueUnavailable(f"{url} did not answer with JSON ({exc})") from exc
        except requests.Timeout as exc:
            raise CatalogueUnavailable(f"no answer from {url} within {self._settings.timeout_s} s") from exc
        except requests.HTTPError as exc:
            raise CatalogueUnavailable(f"{url} answered HTTP {exc.response.status_code}") from exc
        except requests.RequestException as exc:
            raise CatalogueUnavailable(f"{url} is not reachable ({type(exc).__name__})") from exc
        items = document.get("products") if isinstance(document, dict) else None
        if not isinstance(items, list) or not items:
            raise CatalogueUnavailable(f"{url} answered without a non-empty 'products' list")
        products, problems = [], []
        for index, item in enumerate(items):
            product, found = parse_product_text(json.dumps(item, indent=1), f"{url} products[{index}]")
            problems += found
            if product:
                products.append(product)
        if problems:
            raise CatalogueUnavailable(str(ContentError(problems)))
        return products


class RemoteCatalogue:
    """Products from the API when it works, from the local catalogue when it does not."""

    def __init__(
        self,
        client: CatalogueApiClient,
        fallback: LocalCatalogue,
        settings: RemoteSettings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._fallback = fallback
        self._settings = settings
        self._clock = clock
        self._cached: list[Product] | None = None
        self._cached_at = 0.0
        self._failed_at: float | None = None

    def products(self) -> list[Product]:
        now = self._clock()
        if self._cached is not None and now - self._cached_at < self._settings.cache_ttl_s:
            return self._cached
        if self._failed_at is not None and now - self._failed_at < self._settings.cooldown_s:
            return self._fallback.products()
        try:
            self._cached = self._client.fetch_products()
        except CatalogueUnavailable as exc:
            self._failed_at = now
            logger.warning("Remote catalogue unavailable, answering from the local catalogue: %s", exc)
            return self._fallback.products()
        self._cached_at, self._failed_at = now, None
        return self._cached
