"""training/noise.py: which sites a run leaves out, and the rule that moves a floor."""

from training.noise import FLOOR_STEP, dropped_groups, floor_by_noise


def test_each_run_leaves_out_its_own_seeded_share_of_the_groups():
    groups = [f"site{i}.example" for i in range(500)]
    first, again = dropped_groups(groups, 0), dropped_groups(list(reversed(groups)), 0)
    assert first == again  # the order the groups come in does not matter
    # A group named once per document: a share of the groups still, not of the documents.
    assert dropped_groups(groups + ["site0.example"] * 300, 0) == first
    assert len(first) == 10 and first <= set(groups)  # 2 % of 500
    assert dropped_groups(groups, 1) != first


def test_a_floor_every_run_passes_stays():
    assert floor_by_noise(0.97, [0.97, 0.975, 0.99]) == 0.97


def test_a_floor_a_run_falls_under_goes_to_the_step_at_or_below_the_lowest_run():
    assert floor_by_noise(0.97, [0.9582, 0.9522, 0.99]) == 0.95
    assert floor_by_noise(0.945, [0.9449]) == 0.94
    assert floor_by_noise(0.935, [0.93]) == 0.93  # on a step already: that step
    assert FLOOR_STEP == 0.005
