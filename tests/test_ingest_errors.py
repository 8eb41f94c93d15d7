"""Bad files are reported in plain Chinese, with the file and a code the service can act
on; they never crash ingestion and never index garbage silently."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from policykb.ingest import IngestError, iter_input_files, parse_file
from tests.docbuild import (
    make_corrupt_docx,
    make_corrupt_pdf,
    make_docx,
    make_encrypted_pdf,
    make_pdf,
    make_scanned_pdf,
)

BODY = "一、总体要求\n各级党组织要认真落实“第一议题”制度，全面提高党员队伍素质。\n"


def _error(path: Path, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as info:
        parse_file(path, **kwargs)
    err = info.value
    assert err.path == str(Path(path).absolute())
    assert err.reason and any("\u4e00" <= ch <= "\u9fff" for ch in err.reason)  # Chinese
    return err


def test_corrupt_pdf(tmp_path: Path) -> None:
    err = _error(make_corrupt_pdf(tmp_path / "坏.pdf"))
    assert err.code == "corrupt" and "损坏" in err.reason


def test_encrypted_pdf_asks_for_an_unencrypted_copy(tmp_path: Path) -> None:
    err = _error(make_encrypted_pdf(tmp_path / "加密.pdf", "机密文件内容。" * 10))
    assert err.code == "encrypted"
    assert err.reason == "PDF 已加密，无法读取，请提供未加密的文件"


def test_pdf_with_owner_password_only_is_read(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", ["<t>关于轮训的通知\n" + BODY])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "仅限制编辑.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert "第一议题" in parse_file(path).text


def test_scan_without_any_text_is_refused_after_ocr(tmp_path: Path) -> None:
    # Grey bars, no characters: OCR runs (tests/test_ocr.py reads real scans) and finds nothing.
    err = _error(make_scanned_pdf(tmp_path / "扫描件.pdf", pages=1))
    assert err.code == "scanned"
    assert err.reason == "PDF 中没有可提取的文字，文字识别（OCR）也未识别出文字（可能是空白页或图像过于模糊）"


def test_corrupt_docx(tmp_path: Path) -> None:
    err = _error(make_corrupt_docx(tmp_path / "坏.docx"))
    assert err.code == "corrupt" and "Word" in err.reason


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\u3000\u3000\n\t\n", encoding="utf-8")
    assert _error(tmp_path / "empty.txt").code == "empty"
    assert _error(tmp_path / "blank.txt").code == "empty"


def test_binary_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    err = _error(path)
    assert err.code == "not_text"
    assert "PNG 图片" in err.reason  # recognised by its signature, named in the reason
    other = tmp_path / "blob.txt"
    other.write_bytes(bytes(range(256)) * 8)
    assert _error(other).reason == "文件内容不是文本（可能是二进制文件或扩展名错误）"


def test_pdf_named_txt_is_read_as_pdf_with_a_warning(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "real.pdf", ["<t>关于轮训的通知\n" + BODY])
    path = tmp_path / "misnamed.txt"
    path.write_bytes(pdf.read_bytes())
    doc = parse_file(path)
    assert doc.format == "pdf"
    assert "第一议题" in doc.text
    assert any("扩展名" in w and "PDF" in w for w in doc.warnings)


def test_docx_named_pdf_is_read_as_word(tmp_path: Path) -> None:
    docx_path = make_docx(tmp_path / "real.docx", [("title", "关于轮训的通知"), ("p", "各级党组织要认真落实。")])
    path = tmp_path / "misnamed.pdf"
    path.write_bytes(docx_path.read_bytes())
    doc = parse_file(path)
    assert doc.format == "docx" and "认真落实" in doc.text
    assert any("Word" in w for w in doc.warnings)


def test_text_named_pdf_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("关于轮训的通知\n" + BODY, encoding="utf-8")
    doc = parse_file(path)
    assert doc.format == "txt" and "第一议题" in doc.text and doc.warnings


def test_garbage_named_pdf_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(bytes(range(256)) * 16)
    assert _error(path).code == "corrupt"


def test_old_word_doc_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    err = _error(path)
    assert err.code == "unsupported" and ".docx" in err.reason


def test_file_over_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(BODY * 200, encoding="utf-8")
    err = _error(path, max_bytes=1000)
    assert err.code == "too_large" and "MB" in err.reason
    assert parse_file(path).chunks  # the default cap accepts it


def test_missing_file(tmp_path: Path) -> None:
    err = _error(tmp_path / "不存在.txt")
    assert err.code == "not_found" and "不存在" in err.reason


def test_unsupported_suffix_named_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "表格.xlsx"
    path.write_bytes(b"PK\x03\x04whatever")
    assert iter_input_files([path]) == [path]
    err = _error(path)
    assert err.code == "unsupported" and "不支持的文件类型" in err.reason


@pytest.mark.parametrize(
    "name",
    [
        "带 空格 的 文件.txt",
        "quote'\"s.txt",
        "new\nline.txt",
        "-leading-dash.txt",
        "emoji😀通知.txt",
        "长" * 80 + ".txt",
    ],
)
def test_hostile_filenames(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("关于轮训的通知\n" + BODY, encoding="utf-8")
    doc = parse_file(path)
    assert doc.source_path == str(path)
    assert "第一议题" in doc.text
    assert iter_input_files([tmp_path]) == [path]


def test_folders_expand_recursively_skipping_hidden_sidecars_and_unsupported(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ["b/2.md", "a.txt", "b/1.pdf", "c.docx", "d.html", ".hidden.txt", ".git/x.txt",
                "a.txt.meta.json", "notes.xlsx", "readme"]:
        (tmp_path / rel).write_text("x", encoding="utf-8")
    names = [p.relative_to(tmp_path).as_posix() for p in iter_input_files([tmp_path])]
    assert names == ["a.txt", "b/1.pdf", "b/2.md", "c.docx", "d.html"]


def test_folder_given_to_parse_file(tmp_path: Path) -> None:
    assert _error(tmp_path).code == "not_a_file"


def test_bad_sidecar_names_the_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "通知.txt"
    path.write_text("关于轮训的通知\n" + BODY, encoding="utf-8")
    sidecar = tmp_path / "通知.txt.meta.json"
    sidecar.write_text("{title: 没有引号}", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        parse_file(path)
    assert info.value.path == str(sidecar) and info.value.code == "bad_sidecar"
    assert "JSON" in info.value.reason


def test_errors_do_not_leak_library_exceptions(tmp_path: Path) -> None:
    """Whatever is inside, parse_file raises only IngestError."""
    payloads = [b"%PDF-1.4\n", b"PK\x03\x04" + b"\x00" * 100, b"\xff\xfe\x00", io.BytesIO(b"\x00" * 64).read()]
    for i, data in enumerate(payloads):
        for suffix in (".pdf", ".docx", ".txt", ".html", ".md"):
            path = tmp_path / f"p{i}{suffix}"
            path.write_bytes(data)
            try:
                parse_file(path)
            except IngestError:
                pass
