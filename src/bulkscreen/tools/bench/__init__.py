"""The matcher accuracy benchmark: labelled name pairs, pair scorers and their metrics.

``pairs`` builds the labelled pairs shipped in ``datasets/labelled_pairs/`` from the bundled
real lists; ``scorers`` scores pairs with our matcher and with rapidfuzz baselines;
``accuracy`` turns scores into precision, recall and F1 per threshold and per kind.
"""
