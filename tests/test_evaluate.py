"""The evaluation's breakdown of body lines by writing system."""

from training import evaluate as ev
from training.docs import LabelledDoc


def test_a_line_counts_under_the_script_of_most_of_its_letters():
    assert ev.script_of("North Korean troops") == "Latin"
    assert ev.script_of("在抗击新冠肺炎疫情的日子里") == "Chinese and Japanese"
    assert ev.script_of("子どもへの虐待をなくすための法律") == "Chinese and Japanese"
    assert ev.script_of("Say 日本 (nihon) for Japan") == "Latin"  # a word quoted in English
    assert ev.script_of("Москва, 5 декабря") == "Cyrillic"
    assert ev.script_of("2024 — 12") == "Latin"  # no letters at all


def test_body_by_script_splits_a_document_line_by_line_and_adds_up_to_the_whole():
    lines = ["North Korean troops were killed.", "在抗击新冠肺炎疫情的日子里。", "You may also like",
             "武汉肯定能过关。", "Москва, 5 декабря"]
    labels = ["body", "body", "related", "body", None]
    pred = ["body", "other", "body", "body", "other"]
    doc = LabelledDoc(doc_id="d", site="a.example", url="", shape="extract", lines=lines, labels=labels)
    scores = ev.body_by_script([doc], [pred])
    assert list(scores) == ["Chinese and Japanese", "Latin"]  # most body lines first; none Cyrillic
    assert scores["Chinese and Japanese"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert scores["Latin"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    whole = ev.line_scores([doc], [pred])["body"]
    assert whole["support"] == sum(s["support"] for s in scores.values())
