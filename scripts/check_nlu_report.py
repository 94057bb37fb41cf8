"""Fails when the intent macro-F1 in a `rasa test nlu` report is below a minimum."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--min-macro-f1", type=float, required=True)
    args = parser.parse_args()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    macro = report["macro avg"]["f1-score"]
    weak = sorted(
        (values["f1-score"], name)
        for name, values in report.items()
        if isinstance(values, dict) and "support" in values and name not in ("macro avg", "weighted avg", "micro avg")
    )[:5]
    print(
        f"intent macro-F1 {macro:.3f} (minimum {args.min_macro_f1:.2f}); weakest: "
        + ", ".join(f"{name} {f1:.2f}" for f1, name in weak)
    )
    return 0 if macro >= args.min_macro_f1 else 1


if __name__ == "__main__":
    sys.exit(main())
