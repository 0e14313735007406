"""Data files of the extract package (TSV/TOML), read by extract.resources. Not code."""
