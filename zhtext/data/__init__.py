"""The gazetteer's data files (TSV), read by zhtext.gazetteer. Not code."""
