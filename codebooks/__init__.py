"""Codebooks shipped with qualcode (the thesis codebook), readable from an installed package."""
