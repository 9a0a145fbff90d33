"""Articles like the seeds, with other datelines, sign-offs, tags and tails, come out as cleanly.

The bodies are Reuters stories of the dev split (training/wire.py keeps every tenth story out
of training), and a German story's paragraphs from a dev-split page (tag24.de, hand-labelled
body); the wrappers are written here in formats the seeds do not use.
"""

import cleaner

BODY_A = [
    "Alabama officials on Thursday certified Democrat Doug Jones the winner of the state’s U.S. "
    "Senate race, after a state judge denied a challenge by Republican Roy Moore.",
    "Jones won the vacant seat by about 22,000 votes, or 1.6 percentage points, election officials "
    "said. That made him the first Democrat in a quarter of a century to win a Senate seat in Alabama.",
    "The seat was previously held by Republican Jeff Sessions, who was tapped by U.S. President "
    "Donald Trump as attorney general.",
    "In a statement, Jones called his victory “a new chapter” and pledged to work with both parties.",
    "Moore declined to concede defeat even after Trump urged him to do so.",
]
BODY_B = [
    "A federal judge in Seattle partially blocked U.S. President Donald Trump’s newest restrictions "
    "on refugee admissions on Saturday, the latest legal defeat for his efforts to curtail immigration.",
    "The decision by U.S. District Judge James Robart is the first judicial curb on rules the Trump "
    "administration put into place in late October.",
    "Refugees and groups that assist them argued in court that the administration’s policies "
    "violated the Constitution and federal rulemaking procedures, among other claims.",
    "Department of Justice attorneys argued in part that U.S. law grants the executive branch the "
    "authority to limit refugee admissions in the way that it had done so.",
]


def test_pti_dateline_signoff_tag_and_related_articles_tail():
    lines = [
        "Montgomery, Dec 28 (PTI) " + BODY_A[0],
        *BODY_A[1:],
        "— PTI",
        "ms/vd",
        "Related Articles",
        "Kerala lottery result today: Check winning numbers for Karunya Plus",
        "This Is What Happens When You Eat Avocado Every Day",
        "Stock market today: Nifty ends flat as IT shares drag",
    ]
    r = cleaner.clean("\n".join(lines))
    assert r.text == "\n".join(BODY_A)
    assert (r.dateline.location, r.dateline.date, r.dateline.agency) == ("Montgomery", "Dec 28", "PTI")
    assert r.editor_tags == ["ms/vd"]
    assert r.related == lines[-3:]


def test_reuters_dateline_reporting_credit_and_most_read_tail():
    lines = [
        "WASHINGTON (Reuters) - " + BODY_B[0],
        *BODY_B[1:],
        "(Reporting by Lawrence Hurley; Editing by Peter Cooney)",
        "Most Read",
        "Man Utd legend slams club over transfer plans",
        "You Won't Believe What This Celebrity Looks Like Now",
    ]
    r = cleaner.clean("\n".join(lines))
    assert r.text == "\n".join(BODY_B)
    assert (r.dateline.location, r.dateline.agency) == ("WASHINGTON", "Reuters")
    assert r.lines[len(BODY_B)].label == "agency_credit"
    assert r.related == lines[-2:]


def test_title_and_key_points_box_before_an_undated_body():
    lines = [
        "Judge partially lifts Trump's latest refugee restrictions",
        "",
        "Key Points",
        "• A federal judge in Seattle partially blocked the newest refugee restrictions.",
        "• It is the first judicial curb on the October rules.",
        *BODY_B,
    ]
    r = cleaner.clean("\n".join(lines))
    assert r.text == "\n".join(BODY_B)
    assert r.title == lines[0]
    assert r.summary == [lines[3][2:], lines[4][2:]]


BODY_DE = [
    "Zudem seien zwei Erwachsene umgekommen, als sich das Feuer im Treppenhaus ausbreitete, "
    "teilte der Zivilschutz am Samstag mit.",
    "Das zweistöckige Haus in Rostow nordöstlich der Hauptstadt Moskau war aus bislang nicht "
    "geklärten Gründen in Brand geraten.",
    "Das Dachgeschoss brannte vollkommen aus. Die Kinder waren nach Angaben der Agentur Tass "
    "zwischen anderthalb und vier Jahren alt.",
]


def test_german_dpa_dateline_photo_credit_and_related_tail():
    tail = [
        "Waldbrände in Sibirien: Rauch zieht bis nach Alaska",
        "Diese fünf Fehler machen fast alle beim Grillen",
        "Wetter am Wochenende: Jetzt kommt der Schnee",
    ]
    lines = [
        "Moskau (dpa) - " + BODY_DE[0],
        *BODY_DE[1:],
        "Foto: Uncredited/AP/dpa",
        "Das könnte Sie auch interessieren",
        *tail,
        "Folgen Sie uns auf Facebook und Instagram",
    ]
    r = cleaner.clean("\n".join(lines))
    assert r.text == "\n".join(BODY_DE)
    assert (r.dateline.location, r.dateline.agency) == ("Moskau", "dpa")
    assert r.related == tail  # the closing prompt is no headline
    assert [line.label for line in r.lines[3:5]] == ["caption", "related"]
