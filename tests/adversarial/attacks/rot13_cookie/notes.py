# coding: rot13
"""Abgrf gung ner arire vzcbegrq."""

vzcbeg bf

CNGU = bf.cngu.wbva("n", "o")
