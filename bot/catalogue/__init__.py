"""The product catalogue: editor-owned YAML under data/content/, loaded into the SQL database."""
