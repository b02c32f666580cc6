"""Synthetic eye crops, open or closed, made from a seed: the grader's generator.

It lives with the hidden tests, never in a kit: a candidate gets a fixed training set
made by it, so the held-out sub-population below stays unseen, and the hidden seeds'
labels never reach candidate code (the tests make the images in their own process and
hand only the images over).

Each image is a 24x24 grayscale crop around one eye, in [0, 1] (8-bit steps), as a
face tracker would hand it to a blink detector. What varies, and why it matters:

* **the person** (fixed per user): skin and iris tone, eye size, where the tracker
  centres the crop, and one sub-population: ``plain``, ``glasses`` (dark frame rims
  and a lens reflection, which a darkness heuristic reads as a pupil),
  ``low_light`` (a dim, noisy sensor), ``side_light`` (one side of the face lit);
  held-out sets add ``overexposed`` users (washed out and clipped), who never appear
  in a training set;
* **the moment** (per image): how far the upper lid is open, gaze, head tilt,
  camera noise and focus blur.

The label is 1 (closed, a blink) when the lid is open less than a quarter of the
way. Openness is drawn from both sides of that line, so images near it are
ambiguous even without noise: a detector's probabilities can be calibrated, never
certain. The same seed always gives the same images, labels, users and groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIZE = 24
GROUPS = ("plain", "glasses", "low_light", "side_light")
HELD_OUT = "overexposed"
#: Share of users in each group of a training set (held-out sets move part of
#: ``plain``'s share to ``overexposed``).
SHARES = {"plain": 0.55, "glasses": 0.15, "low_light": 0.15, "side_light": 0.15}
HELD_OUT_SHARE = 0.15
CLOSED_SHARE = 0.3  # blinks are the rarer class
CLOSED_BELOW = 0.25  # openness under which an eye counts as closed
TRAIN_SEED = 2026  # the kit's training set (the hidden sets' seeds are the tests' secret)
TRAIN_USERS = 150
TRAIN_PER_USER = 16


@dataclass(frozen=True)
class EyeSet:
    """Images with their labels, users and sub-populations, row for row."""

    images: np.ndarray  # (n, SIZE, SIZE) float32 in [0, 1]
    labels: np.ndarray  # (n,) int8: 1 closed, 0 open
    users: np.ndarray  # (n,) int64
    groups: np.ndarray  # (n,) str: the user's sub-population

    def __len__(self) -> int:
        return len(self.labels)

    def where(self, mask: np.ndarray) -> EyeSet:
        """The rows where ``mask`` is true."""
        return EyeSet(self.images[mask], self.labels[mask], self.users[mask], self.groups[mask])


@dataclass(frozen=True)
class _Person:
    user: int
    group: str
    skin: float
    iris: float
    half_width: float
    half_height: float
    centre: tuple[float, float]


def make_dataset(
    seed: int, users: int = 200, per_user: int = 20, *, held_out: bool = False
) -> EyeSet:
    """``users`` people with ``per_user`` images each, drawn from ``seed``.

    User ids are ``seed * 100_000 + k``, so sets from different seeds never share a
    user. With ``held_out``, a share of the users is ``overexposed``.
    """
    if users < 1 or per_user < 1:
        raise ValueError(f"users and per_user must be at least 1, got {users}, {per_user}")
    rng = np.random.default_rng([seed, 1 if held_out else 0])
    groups = _groups(rng, users, held_out)
    images, labels, ids, names = [], [], [], []
    for k, group in enumerate(groups):
        person = _person(rng, seed * 100_000 + k, group)
        for _ in range(per_user):
            openness = _openness(rng)
            images.append(render(person, openness, rng))
            labels.append(int(openness < CLOSED_BELOW))
            ids.append(person.user)
            names.append(group)
    return EyeSet(
        images=from_bytes(np.round(np.stack(images) * 255.0).astype(np.uint8)),
        labels=np.array(labels, dtype=np.int8),
        users=np.array(ids, dtype=np.int64),
        groups=np.array(names),
    )


def training_set() -> EyeSet:
    """The training set a kit ships (``support/train.npz``): no held-out group."""
    return make_dataset(TRAIN_SEED, users=TRAIN_USERS, per_user=TRAIN_PER_USER)


def write_training_set(path: str) -> None:
    """Save `training_set()` as the kit's ``train.npz`` (8-bit images, compressed)."""
    data = training_set()
    np.savez_compressed(
        path,
        images=np.round(data.images * 255.0).astype(np.uint8),
        labels=data.labels,
        users=data.users,
        groups=data.groups,
    )


def from_bytes(raw: np.ndarray) -> np.ndarray:
    """8-bit images as float32 in [0, 1], exactly as the kit's data.py reads them."""
    return raw.astype(np.float32) / np.float32(255.0)


def _groups(rng: np.random.Generator, users: int, held_out: bool) -> list[str]:
    """Each user's sub-population, in the stated shares (rounded), shuffled."""
    shares = dict(SHARES)
    if held_out:
        shares["plain"] -= HELD_OUT_SHARE
        shares[HELD_OUT] = HELD_OUT_SHARE
    counts = {name: round(share * users) for name, share in shares.items()}
    counts["plain"] += users - sum(counts.values())
    names = [name for name, count in counts.items() for _ in range(count)]
    rng.shuffle(names)
    return names


def _person(rng: np.random.Generator, user: int, group: str) -> _Person:
    return _Person(
        user=user,
        group=group,
        skin=float(rng.uniform(0.4, 0.8)),
        iris=float(rng.uniform(0.1, 0.45)),
        half_width=float(rng.uniform(0.55, 0.75)),
        half_height=float(rng.uniform(0.3, 0.42)),
        centre=(float(rng.uniform(-0.1, 0.1)), float(rng.uniform(-0.1, 0.1))),
    )


def _openness(rng: np.random.Generator) -> float:
    """How far the upper lid is open (0 shut, 1 wide), from both sides of the line."""
    if rng.random() < CLOSED_SHARE:
        return float(rng.uniform(0.0, 0.3))
    return float(rng.uniform(0.2, 1.0))


def render(person: _Person, openness: float, rng: np.random.Generator) -> np.ndarray:
    """One crop of ``person``'s eye with the lid ``openness`` open."""
    tilt = np.deg2rad(np.clip(rng.normal(0.0, 8.0), -20.0, 20.0))
    x, y = _grid(person.centre, tilt, rng)
    a, b = person.half_width, person.half_height
    bulge = np.clip(1.0 - (x / a) ** 2, 0.0, None)  # lid curves: 0 at the corners
    lower = 0.35 * b * bulge
    upper = lower - openness * 1.35 * b * bulge
    image = person.skin * (1.0 - 0.12 * np.exp(-(((y + 0.55 * b) / 0.25) ** 2)))  # crease shade
    visible = (y > upper) & (y < lower) & (bulge > 0)
    gaze = rng.uniform(-0.2, 0.2)
    centre_y = 0.5 * (upper + lower)
    radius = 0.3 * b / 0.36
    eye = np.where(
        (x - gaze) ** 2 + (y - centre_y) ** 2 < (0.4 * radius) ** 2,
        0.05,
        np.where((x - gaze) ** 2 + (y - centre_y) ** 2 < radius**2, person.iris, 0.88),
    )
    image = np.where(visible, eye, image)
    lid_line = np.exp(-(((y - upper) / 0.05) ** 2)) * (bulge > 0)  # lashes on the lid margin
    image = image * (1.0 - 0.55 * lid_line)
    return _camera(image, person.group, rng)


def _grid(
    centre: tuple[float, float], tilt: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Crop coordinates in [-1, 1], moved by the tracker's jitter and turned by the tilt."""
    axis = np.linspace(-1.0, 1.0, SIZE)
    gy, gx = np.meshgrid(axis, axis, indexing="ij")
    jitter = rng.uniform(-0.06, 0.06, size=2)
    gx = gx - centre[0] - jitter[0]
    gy = gy - centre[1] - jitter[1]
    cos, sin = np.cos(tilt), np.sin(tilt)
    return cos * gx + sin * gy, -sin * gx + cos * gy


def _camera(image: np.ndarray, group: str, rng: np.random.Generator) -> np.ndarray:
    """Glasses, lighting, focus blur, sensor noise and 8-bit steps."""
    if group == "glasses":
        image = _glasses(image, rng)
    elif group == "side_light":
        ramp = np.linspace(0.45, 1.3, SIZE)
        image = image * (ramp if rng.random() < 0.5 else ramp[::-1])[None, :]
    image = _blur(image, float(rng.uniform(0.0, 1.0)))
    noise = 0.02
    if group == "low_light":
        image = image * rng.uniform(0.2, 0.4)
        noise = 0.05
    elif group == HELD_OUT:
        image = image * 1.4 + 0.25
    image = image + rng.normal(0.0, noise, size=image.shape)
    return np.round(np.clip(image, 0.0, 1.0) * 255.0) / 255.0


def _glasses(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark frame rims above and below the eye, a lens tint and a bright reflection."""
    rows = np.arange(SIZE)[:, None]
    cols = np.arange(SIZE)[None, :]
    top, bottom = rng.integers(1, 4), rng.integers(SIZE - 4, SIZE - 1)
    rims = (np.abs(rows - top) <= 1) | (np.abs(rows - bottom) <= 1)
    image = np.where(rims, 0.08, image * 0.9)
    cy, cx = rng.uniform(5, SIZE - 5, size=2)
    glint = np.exp(-((rows - cy) ** 2 + (cols - cx) ** 2) / (2 * 1.5**2))
    return np.clip(image + 0.7 * glint, 0.0, 1.0)


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian focus blur (separable, edges repeated), as two small matrix products."""
    if sigma < 0.3:
        return image
    half = int(np.ceil(3 * sigma))
    offsets = np.arange(-half, half + 1)
    taps = np.exp(-(offsets**2) / (2 * sigma**2))
    taps /= taps.sum()
    blur = np.zeros((SIZE, SIZE))
    for offset, tap in zip(offsets, taps, strict=True):
        source = np.clip(np.arange(SIZE) + offset, 0, SIZE - 1)
        np.add.at(blur, (np.arange(SIZE), source), tap)
    return blur @ image @ blur.T
