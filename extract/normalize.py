"""Length-preserving normalisation (NFKC and Traditional→Simplified, one character for one): zhtext.script.fold.

Evidence spans found on the normalised text slice the original text directly.
"""

from zhtext.script import fold as normalize

__all__ = ["normalize"]
