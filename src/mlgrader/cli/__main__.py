"""``python -m mlgrader.cli``: the ``mlgrader`` command, for when the script is not on PATH."""

from mlgrader.cli import main

if __name__ == "__main__":
    main()
