from digits.data.negatives import KINDS, not_digit_set
from digits.preprocessing import preprocess_bytes


def test_non_digit_drawings_are_varied_and_reproducible() -> None:
    kinds, images = not_digit_set(60, seed=5)
    again_kinds, again = not_digit_set(60, seed=5)
    assert images == again and kinds == again_kinds
    assert set(kinds) == set(KINDS)
    for data in images[:10]:
        image = preprocess_bytes(data).image
        assert image.shape == (28, 28) and float(image.max()) > 0.5
    assert not_digit_set(5, seed=6)[1] != images[:5]
    assert len({hash(d) for d in images}) == len(images)
