"""Chinese text: numerals, date pieces, Han character ranges, Traditional→Simplified folding and clean-up.

A leaf package: every stage may import it, and it imports no stage. Pure functions, standard library only; the one
data file (t2s.tsv) loads on first use.
"""

from .clean import no_lone_surrogates, to_ascii
from .numerals import cn_to_int, is_bare, is_digit_string, to_number
from .script import HAN, HAN_CHAR, HAN_RUN, fold, has_han

__all__ = ["cn_to_int", "is_bare", "is_digit_string", "to_number", "HAN", "HAN_CHAR", "HAN_RUN", "fold", "has_han",
           "no_lone_surrogates", "to_ascii"]
