"""The format registry: every format has a reader, suffixes name formats, one reader each."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.verify.ingest_formats import READERS, FileFormat, detect_format, read_file, reads


def test_every_format_has_a_reader_and_suffixes_that_name_it() -> None:
    assert set(READERS) == set(FileFormat)
    for file_format, reader in READERS.items():
        assert reader.suffixes, file_format
        for suffix in reader.suffixes:
            assert detect_format(Path(f"x{suffix.upper()}")) is file_format


def test_an_unknown_suffix_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"x\.txt: cannot tell the format from '\.txt'.*\.csv"):
        detect_format(Path("x.txt"))


def test_a_format_cannot_get_a_second_reader() -> None:
    with pytest.raises(ValueError, match="already has a reader"):
        reads(FileFormat.csv, "line", ".tsv")(lambda path, label, skip: iter(()))
    assert ".tsv" not in READERS[FileFormat.csv].suffixes


def test_read_file_goes_to_the_registered_reader(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("id,count\na,1\nb,2\n", encoding="utf-8")
    records = list(read_file(path, FileFormat.csv, skip_to=2))
    assert [(r.position, r.detail, r.fields) for r in records] == [
        (3, "line 3", {"id": "b", "count": "2"})
    ]
