"""Reading an export back: the Hugging Face `datasets` loader with image paths that resolve.

`datasets.load_dataset(folder, task)` gives the declared `datasets.Image` columns, but opens
each image path as given, relative to the working directory. `load_dataset` here makes the
paths absolute first, so the images decode from anywhere. `datasets` stays optional.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from prompt_tracking.export.tasks import IMAGE_COLUMNS


def load_dataset(folder: str | Path, task: str, **kwargs: Any) -> Any:
    """`datasets.load_dataset(folder, task)` with the image paths made absolute.

    Args:
        folder: An export folder.
        task: A task (config) name, e.g. "quality" or "preference_pairs".
        **kwargs: Passed to `datasets.load_dataset` (e.g. `split="train"`).

    Returns:
        A `datasets.DatasetDict` (or `Dataset` when a split is given).

    Raises:
        ImportError: `datasets` is not installed (`pip install datasets`).
    """
    try:
        import datasets
    except ImportError as exc:
        raise ImportError("load_dataset needs the Hugging Face `datasets` package: "
                          "pip install datasets") from exc
    root = Path(folder).expanduser().resolve()
    loaded = datasets.load_dataset(str(root), task, **kwargs)
    if isinstance(loaded, datasets.DatasetDict):
        return datasets.DatasetDict({name: _absolute(split, root, task, datasets)
                                     for name, split in loaded.items()})
    return _absolute(loaded, root, task, datasets)


def _absolute(dataset: Any, root: Path, task: str, datasets: Any) -> Any:
    columns = [c for c in IMAGE_COLUMNS.get(task, ())
               if isinstance(dataset.features.get(c), datasets.Image)]
    if not columns or not len(dataset):
        return dataset
    for column in columns:
        dataset = dataset.cast_column(column, datasets.Image(decode=False))

    def resolve(row: dict[str, Any]) -> dict[str, Any]:
        return {c: None if row[c] is None else {"path": str(root / row[c]["path"]), "bytes": None}
                for c in columns}
    dataset = dataset.map(resolve)
    for column in columns:
        dataset = dataset.cast_column(column, datasets.Image())
    return dataset
