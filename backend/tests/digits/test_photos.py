"""The photo-like evaluation set: JPEGs of digits on paper, some stored rotated with EXIF."""

import io

import numpy as np
from PIL import Image, ImageOps

from digits.data.mnist import Mnist
from digits.data.photos import ORIENTATION_TAG, photo_of_digit, photo_set
from digits.preprocessing import decode_image


def test_photos_are_jpegs_some_stored_rotated_with_exif(mnist: Mnist) -> None:
    photos = photo_set(mnist.x_test[:10], mnist.y_test[:10], seed=0)
    assert photos.name == "photos" and len(photos.images) == 10
    np.testing.assert_array_equal(photos.labels, mnist.y_test[:10])
    orientations = []
    for data in photos.images:
        img = Image.open(io.BytesIO(data))  # as stored, before decode_image applies the orientation
        assert img.format == "JPEG" and img.mode == "RGB"
        assert min(img.size) >= 400 and max(img.size) <= 1200
        orientations.append(img.getexif().get(ORIENTATION_TAG, 1))
        gray = np.asarray(img.convert("L"), dtype=np.float32)
        assert gray.mean() > 110 and gray.min() < 90  # light paper, dark ink
    assert any(o != 1 for o in orientations) and orientations.count(1) >= 5
    assert set(orientations) <= {1, 3, 6, 8}
    assert photo_set(mnist.x_test[:2], mnist.y_test[:2], seed=0).images == photos.images[:2]
    assert photo_set(mnist.x_test[:2], mnist.y_test[:2], seed=1).images != photos.images[:2]


def test_exif_orientation_turns_the_stored_photo_upright(mnist: Mnist) -> None:
    digit = mnist.x_test[0]
    upright = decode_image(photo_of_digit(digit, np.random.default_rng(5), orientation=1))
    for orientation in (3, 6, 8):
        data = photo_of_digit(digit, np.random.default_rng(5), orientation=orientation)
        stored = Image.open(io.BytesIO(data))
        assert stored.getexif()[ORIENTATION_TAG] == orientation
        shown = decode_image(data)  # applies the EXIF orientation, as ImageOps.exif_transpose does
        assert shown.size == upright.size
        np.testing.assert_array_equal(np.asarray(shown), np.asarray(ImageOps.exif_transpose(stored)))
        diff = np.abs(np.asarray(shown, np.float32) - np.asarray(upright, np.float32))
        assert float(diff.mean()) < 3.0  # the same picture, give or take JPEG
        if orientation != 3:
            assert stored.size == upright.size[::-1]
