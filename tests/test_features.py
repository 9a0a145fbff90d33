"""The feature matrix: one row per line, context seen across blank lines, batch = documents."""

import numpy as np

from cleaner import features as f


def col(X: np.ndarray, name: str) -> np.ndarray:
    return X[:, f.FEATURE_NAMES.index(name)]


LINES = [
    "Seoul, April 30 (IANS) North Korean troops are believed to have incurred casualties.",
    "",
    "The spy agency has yet to detect signs of another troop deployment, they said.",
    "--IANS",
    "int/jk/as",
    "You may also like",
    "Local elections 2025: What ID can I take to the polling station",
    "SC rejects plea seeking probe into death",
]


def test_one_row_per_line_blank_lines_included():
    X = f.document_features(LINES)
    assert X.shape == (len(LINES), len(f.FEATURE_NAMES))
    assert col(X, "blank").tolist() == [0, 1, 0, 0, 0, 0, 0, 0]
    assert not X[1, 1:].any()


def test_shape_flags():
    X = f.document_features(LINES)
    assert col(X, "dateline_prefix")[0] == 1
    assert col(X, "agency_signoff")[3] == 1
    assert col(X, "editor_tag")[4] == 1
    assert col(X, "related_header")[5] == 1
    assert col(X, "ends_sentence").tolist()[:3] == [1, 0, 1]


def test_lines_after_a_related_header_know_it_and_their_distance():
    X = f.document_features(LINES)
    assert col(X, "related_header_above").tolist() == [0, 0, 0, 0, 0, 0, 1, 1]
    since = col(X, "log_since_related_header")
    assert since[7] > since[6] > 0


def test_neighbours_are_counted_over_non_blank_lines():
    X = f.document_features(LINES)
    # Line 2's previous non-blank line is line 0 (a dateline), across the blank line.
    assert col(X, "dateline_prefix@-1")[2] == 1
    assert col(X, "blank_before")[2] == 1
    assert col(X, "is_first")[0] == 1 and col(X, "is_last")[7] == 1


def test_batch_equals_documents_stacked_and_context_stays_inside_a_document():
    a, b = LINES[:4], LINES[4:]
    X = f.batch_features([a, b])
    assert np.array_equal(X, np.vstack([f.document_features(a), f.document_features(b)]))
    assert col(X, "is_first")[4] == 1
    assert f.doc_offsets([a, b]).tolist() == [0, 4, 8]


def test_a_document_cut_shorter_is_featured_as_from_scratch_from_the_base_rows_it_keeps():
    """What cleaning relies on to label a clean text again without redoing the patterns."""
    keep = [0, 2, 6, 7]
    full = f.document_features(LINES)
    again = f.features_from_base(full[keep, : len(f.BASE_NAMES)], [len(keep)])
    assert np.array_equal(again, f.document_features([LINES[i] for i in keep]))


def test_second_pass_sees_neighbour_probabilities_within_a_document():
    docs = [["a b c.", "d e f."], ["g h i."]]
    X = f.batch_features(docs)
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    X2 = f.second_pass_features(X, proba, f.doc_offsets(docs))
    extra = X2[:, len(f.SECOND_PASS_KEEP):]
    k = f.SECOND_PASS_OFFSETS.index(1)
    assert extra[0, 2 * k:2 * k + 2].tolist() == [0.2, 0.8]
    assert extra[1, 2 * k:2 * k + 2].tolist() == [0.0, 0.0]  # the next line is another document's
    assert extra[2, -2:].tolist() == [0.5, 0.5]


def test_second_pass_features_of_some_rows_are_those_rows_of_all():
    docs = [LINES, ["", "x y z."], ["", ""], LINES[::-1]]
    X = f.batch_features(docs)
    proba = np.random.default_rng(1).dirichlet(np.ones(5), size=X.shape[0])
    offsets = f.doc_offsets(docs)
    every = f.second_pass_features(X, proba, offsets)
    for at in (np.arange(X.shape[0]), np.array([0, 3, 4, X.shape[0] - 1]), np.array([], dtype=int)):
        assert np.array_equal(f.second_pass_features(X, proba, offsets, at=at), every[at])


def test_empty_document():
    assert f.document_features([]).shape == (0, len(f.FEATURE_NAMES))


def test_ends_sentence_is_a_terminal_mark_before_closing_quotes_and_brackets():
    import re

    # The definition the column had as a regex, searched in each stripped line.
    regex = re.compile(r"[.!?…][\"”’')\]]*\s*$")
    lines = ["He left.", 'He said "no."', "Really?)", "Wait…", "Done.”’", "No end", "Mid. sentence",
             "A list:", "(AP)", ".", '"', "Ends in a quote ”", "Then! ]", "1.5", "x.)]\"", "Word .\u201d"]
    col = f.BASE_NAMES.index("ends_sentence")
    got = f.batch_features([lines])[:, col]
    assert got.tolist() == [float(bool(regex.search(line))) for line in lines]
    assert 0 < got.sum() < len(lines)
