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


def make_dataset(
    seed: int, users: int = 200, per_user: int = 20, *, held_out: bool = False
) -> EyeSet:
    """``users`` people with ``per_user`` images each, drawn from ``seed``.

    User ids are ``(seed % 2**31) * 100_000 + k``, so sets from different seeds share
    no user (unless the seeds agree modulo 2**31). With ``held_out``, a share of the
    users is ``overexposed``. Every parameter is drawn for every image in a fixed order,
    so a set is the same on any machine; images are drawn all at once (arrays of shape
    (n, 24, 24)), about 0.1 ms each.
    """
    if users < 1 or per_user < 1:
        raise ValueError(f"users and per_user must be at least 1, got {users}, {per_user}")
    rng = np.random.default_rng([seed, 1 if held_out else 0])
    groups = np.array(_groups(rng, users, held_out))
    person = np.repeat(np.arange(users), per_user)
    look = {
        "skin": rng.uniform(0.4, 0.8, users)[person],
        "iris": rng.uniform(0.1, 0.45, users)[person],
        "a": rng.uniform(0.55, 0.75, users)[person],  # half the eye's width
        "b": rng.uniform(0.3, 0.42, users)[person],  # its height when wide open
        "centre": rng.uniform(-0.1, 0.1, (users, 2))[person],
    }
    openness = _openness(rng, len(person))
    images = _camera(_eyes(look, openness, rng), groups[person], rng)
    return EyeSet(
        images=from_bytes(np.round(images * 255.0).astype(np.uint8)),
        labels=(openness < CLOSED_BELOW).astype(np.int8),
        users=((seed % 2**31) * 100_000 + person).astype(np.int64),
        groups=groups[person],
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


def _openness(rng: np.random.Generator, n: int) -> np.ndarray:
    """How far each upper lid is open (0 shut, 1 wide), from both sides of the line."""
    shut = rng.random(n) < CLOSED_SHARE
    return np.where(shut, rng.uniform(0.0, 0.3, n), rng.uniform(0.2, 1.0, n))


def _eyes(
    look: dict[str, np.ndarray], openness: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The eyes as the lens sees them, before the camera: (n, SIZE, SIZE) in [0, 1]."""
    n = len(openness)
    x, y = _grid(look["centre"], rng)
    col = {k: v[:, None, None] for k, v in look.items() if k != "centre"}
    a, b, o = col["a"], col["b"], openness[:, None, None]
    bulge = np.clip(1.0 - (x / a) ** 2, 0.0, None)  # lid curves: 0 at the corners
    lower = 0.35 * b * bulge
    upper = lower - o * 1.35 * b * bulge
    skin = col["skin"] * (1.0 - 0.12 * np.exp(-(((y + 0.55 * b) / 0.25) ** 2)))  # crease
    gaze = rng.uniform(-0.2, 0.2, n)[:, None, None]
    from_iris = (x - gaze) ** 2 + (y - 0.5 * (upper + lower)) ** 2
    radius = 0.3 * b / 0.36
    eye = np.where(
        from_iris < (0.4 * radius) ** 2, 0.05, np.where(from_iris < radius**2, col["iris"], 0.88)
    )
    image = np.where((y > upper) & (y < lower) & (bulge > 0), eye, skin)
    lid_line = np.exp(-(((y - upper) / 0.05) ** 2)) * (bulge > 0)  # lashes on the lid margin
    return image * (1.0 - 0.55 * lid_line)


def _grid(centre: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each crop's coordinates in [-1, 1], moved by the person's centre and the tracker's
    jitter, and turned by the head's tilt: two (n, SIZE, SIZE) arrays."""
    n = len(centre)
    tilt = np.deg2rad(np.clip(rng.normal(0.0, 8.0, n), -20.0, 20.0))[:, None, None]
    shift = centre + rng.uniform(-0.06, 0.06, (n, 2))
    axis = np.linspace(-1.0, 1.0, SIZE)
    gx = axis[None, None, :] - shift[:, 0, None, None]
    gy = axis[None, :, None] - shift[:, 1, None, None]
    cos, sin = np.cos(tilt), np.sin(tilt)
    return cos * gx + sin * gy, -sin * gx + cos * gy


def _camera(image: np.ndarray, groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Glasses, lighting, focus blur, sensor noise; clipped to [0, 1]."""
    n = len(image)
    per = {g: (groups == g)[:, None, None] for g in (*GROUPS, HELD_OUT)}
    image = np.where(per["glasses"], _glasses(image, rng), image)
    ramp = np.linspace(0.45, 1.3, SIZE)
    ramps = np.where((rng.random(n) < 0.5)[:, None], ramp, ramp[::-1])[:, None, :]
    image = np.where(per["side_light"], image * ramps, image)
    image = _blur(image, rng.uniform(0.0, 1.0, n))
    gain = rng.uniform(0.2, 0.4, n)[:, None, None]
    image = np.where(per["low_light"], image * gain, image)
    image = np.where(per[HELD_OUT], image * 1.4 + 0.25, image)
    noise = np.where(per["low_light"], 0.05, 0.02)
    return np.clip(image + noise * rng.normal(0.0, 1.0, image.shape), 0.0, 1.0)


def _glasses(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark frame rims above and below the eye, a lens tint and a bright reflection."""
    n = len(image)
    rows = np.arange(SIZE)[None, :, None]
    cols = np.arange(SIZE)[None, None, :]
    top = rng.integers(1, 4, n)[:, None, None]
    bottom = rng.integers(SIZE - 4, SIZE - 1, n)[:, None, None]
    rims = (np.abs(rows - top) <= 1) | (np.abs(rows - bottom) <= 1)
    image = np.where(rims, 0.08, image * 0.9)
    cy, cx = (rng.uniform(5, SIZE - 5, (2, n)))[:, :, None, None]
    glint = np.exp(-((rows - cy) ** 2 + (cols - cx) ** 2) / (2 * 1.5**2))
    return np.clip(image + 0.7 * glint, 0.0, 1.0)


def _blur(image: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Gaussian focus blur of each image by its own ``sigma`` (none under 0.3 pixels),
    separable with edges repeated: ``B @ image @ B.T`` with B a (SIZE, SIZE) matrix."""
    offsets = np.arange(-3, 4)
    safe = np.maximum(sigma, 0.3)[:, None]
    taps = np.exp(-(offsets[None, :] ** 2) / (2 * safe**2))
    taps = np.where((sigma < 0.3)[:, None], offsets[None, :] == 0, taps)
    taps = taps / taps.sum(axis=1, keepdims=True)
    index = np.arange(SIZE)
    shifts = np.zeros((len(offsets), SIZE, SIZE))
    for k, offset in enumerate(offsets):
        np.add.at(shifts[k], (index, np.clip(index + offset, 0, SIZE - 1)), 1.0)
    blur = np.einsum("nk,kij->nij", taps, shifts)
    return blur @ image @ blur.transpose(0, 2, 1)
