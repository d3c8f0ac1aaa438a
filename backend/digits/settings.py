"""Paths and options shared by the training command and the service.

Read from the environment (and a ``.env`` file) by pydantic-settings, e.g. ``MNIST_DIR``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

BACKEND_DIR = Path(__file__).resolve().parent.parent
"""The ``backend/`` directory; default paths are relative to it, not to the working directory."""

DEFAULT_MODELS_DIR = BACKEND_DIR / "models"
DEFAULT_MODEL_PATH = DEFAULT_MODELS_DIR / "cnn.keras"
DEFAULT_MNIST_DIR = BACKEND_DIR.parent.parent / "shared" / "data" / "mnist"
DEFAULT_OMNIGLOT_DIR = BACKEND_DIR.parent.parent / "shared" / "data" / "omniglot"
DEFAULT_DATABASE_URL = f"sqlite:///{BACKEND_DIR / 'data' / 'feedback.db'}"


class DataSettings(BaseSettings):
    """Where the MNIST IDX files, the Omniglot drawings and the models live.

    Attributes:
        mnist_dir: directory holding the four MNIST IDX files, gzip-compressed or not
            (env ``MNIST_DIR``; default ``../shared/data/mnist`` beside the project root).
        omniglot_dir: directory holding Omniglot's ``strokes.zip`` (and ``images.zip``): non-digit
            handwritten characters (env ``OMNIGLOT_DIR``; default ``../shared/data/omniglot``).
        model_path: the Keras model written by training and read by evaluation, export and
            benchmark (env ``MODEL_PATH``).
        models_dir: the directory the service loads its models from (env ``MODELS_DIR``).
        database_url: the feedback database, a SQLAlchemy URL (env ``DATABASE_URL``): by default a
            SQLite file ``backend/data/feedback.db`` (created on first use); for deployments
            ``postgresql+psycopg://USER:PASSWORD@HOST:5432/DB``.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    mnist_dir: Path = DEFAULT_MNIST_DIR
    omniglot_dir: Path = DEFAULT_OMNIGLOT_DIR
    model_path: Path = DEFAULT_MODEL_PATH
    models_dir: Path = DEFAULT_MODELS_DIR
    database_url: str = DEFAULT_DATABASE_URL
