"""Model look-up order, verification before loading, and checked atomic downloads."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from kiosk.pose import model_files as mf
from kiosk.errors import ModelError

NAME = "movenet_singlepose_lightning_int8_v4.tflite"


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """Empty env dir, repo models/ and user cache, searched in that order."""
    env, repo, cache = tmp_path / "env", tmp_path / "repo", tmp_path / "cache"
    for d in (env, repo, cache):
        d.mkdir()
    monkeypatch.setenv(mf.ENV_DIR, str(env))
    monkeypatch.setattr(mf, "REPO_MODELS", repo)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return env, repo, cache / "hinge-mirror" / "models"


def test_manifest_has_the_official_checksums():
    variants, default = mf.load_manifest()
    assert default == "lightning_int8"
    li = variants["lightning_int8"]
    assert (li.size, li.input_size, li.file) == (2894840, 192, NAME)
    assert li.sha256 == "cd7cc22fa946e5d146a7b98d496853e1923e22828d3972d579973f27f91bb105"
    assert variants["thunder_int8"].size == 7126768
    assert variants["thunder_float16"].sha256.startswith("41641538")
    assert all("tfhub.dev/google/lite-model/movenet/singlepose/" in v.url
               for v in variants.values() if v.role == "pose")


@pytest.mark.model
def test_the_back_shape_model_is_blazepose_full_with_its_official_checksum(testdata_dir):
    v = mf.back_shape_variant()
    assert (v.name, v.role, v.file) == ("blazepose_full", "back shape", "pose_landmark_full.tflite")
    assert v.url == "https://storage.googleapis.com/mediapipe-assets/pose_landmark_full.tflite"
    sums = dict(line.split()[::-1] for line in (testdata_dir.parent / "SHA256SUMS").read_text().splitlines())
    assert v.sha256 == sums[v.file]
    assert [d.name for d in mf.defaults()] == ["lightning_int8", "blazepose_full"]


def test_the_back_shape_model_is_optional_but_checked_when_there(dirs, tmp_path):
    env = dirs[0]
    assert mf.find_back_shape() is None  # not fetched: the mirror runs without it
    (env / "pose_landmark_full.tflite").write_bytes(b"\0\0\0\0TFL3" + b"\0" * 100)
    with pytest.raises(ModelError, match="6,440,512"):
        mf.find_back_shape()  # there, but not the official file: refused by name
    with pytest.raises(ModelError, match="does not exist.*models fetch blazepose_full"):
        mf.find_back_shape(tmp_path / "nowhere.tflite")


def test_the_back_shape_model_is_not_a_pose_model():
    with pytest.raises(ModelError, match="not a pose model"):
        mf.find_model(variant_name="blazepose_full")


def test_models_fetch_with_no_variant_gets_both_models(dirs, monkeypatch, capsys):
    from kiosk.cli import main

    got = []
    monkeypatch.setattr(mf, "fetch", lambda name, d=None, url=None: got.append(name) or dirs[2] / name)
    assert main(["models", "fetch"]) == 0
    assert got == ["lightning_int8", "blazepose_full"]


def test_missing_model_names_the_fetch_command(dirs):
    with pytest.raises(ModelError, match="not found.*hinge-mirror models fetch lightning_int8"):
        mf.find_model()


@pytest.mark.model
def test_lookup_order(dirs, model_path, tmp_path):
    env, repo, cache = dirs
    cache.mkdir(parents=True)
    shutil.copy(model_path, cache / NAME)
    assert mf.find_model() == cache / NAME
    shutil.copy(model_path, repo / NAME)
    assert mf.find_model() == repo / NAME
    shutil.copy(model_path, env / NAME)
    assert mf.find_model() == env / NAME
    other = tmp_path / "mine.tflite"
    shutil.copy(model_path, other)
    assert mf.find_model(config_path=other) == other
    assert mf.find_model(path=other, config_path=tmp_path / "nope.tflite") == other


def test_explicit_path_that_does_not_exist_is_an_error_not_a_fallback(dirs, tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        mf.find_model(path=tmp_path / "typo.tflite")


@pytest.mark.model
def test_checksum_mismatch_is_refused_by_name(dirs, model_path):
    env, _, _ = dirs
    data = bytearray(model_path.read_bytes())
    data[-100] ^= 0xFF  # same size, one byte flipped
    (env / NAME).write_bytes(bytes(data))
    with pytest.raises(ModelError, match=f"{NAME} fails its SHA-256 check"):
        mf.find_model()


@pytest.mark.model
def test_truncated_model_is_refused(dirs, model_path):
    env, _, _ = dirs
    (env / NAME).write_bytes(model_path.read_bytes()[:100_000])
    with pytest.raises(ModelError, match="100,000 bytes, expected 2,894,840"):
        mf.find_model()


def test_a_file_that_is_not_tflite_is_refused(tmp_path):
    page = tmp_path / "custom.tflite"
    page.write_bytes(b"<!DOCTYPE html><html>Sign in to Kaggle</html>")
    with pytest.raises(ModelError, match="not a TFLite model"):
        mf.find_model(path=page)


@pytest.mark.model
def test_fetch_checks_and_writes_atomically(dirs, model_path, tmp_path):
    _, _, cache = dirs
    path = mf.fetch("lightning_int8", url=model_path.as_uri())
    assert path == cache / NAME
    assert hashlib.sha256(path.read_bytes()).hexdigest() == mf.variant().sha256
    assert [p.name for p in cache.iterdir()] == [NAME]  # no temporary left behind
    assert mf.find_model() == path


def test_fetch_of_a_wrong_file_installs_nothing(dirs, tmp_path):
    _, _, cache = dirs
    wrong = tmp_path / "wrong.bin"
    wrong.write_bytes(b"\0\0\0\0TFL3" + os.urandom(1000))
    with pytest.raises(ModelError, match="expected 2,894,840"):
        mf.fetch("lightning_int8", url=wrong.as_uri())
    assert list(cache.iterdir()) == []


def test_fetch_network_failure_is_a_model_error(dirs, tmp_path):
    with pytest.raises(ModelError, match="could not download"):
        mf.fetch("lightning_int8", url=(tmp_path / "absent.tflite").as_uri())


@pytest.mark.model
def test_status_reports_each_variant(dirs, model_path):
    env, _, _ = dirs
    shutil.copy(model_path, env / NAME)
    rows = {v.name: (p, s) for v, p, s in mf.status()}
    assert rows["lightning_int8"] == (env / NAME, "ok")
    assert rows["thunder_int8"] == (None, "not fetched")


def test_unknown_variant_lists_the_choices():
    with pytest.raises(ModelError, match="lightning_int8"):
        mf.variant("blazepose")


@pytest.mark.model
@pytest.mark.parametrize("keep", [8, 500_000, 2_000_000, 2_890_000])
def test_truncated_model_under_any_name_is_refused(model_path, tmp_path, keep):
    # No manifest size to compare with: the weights are found to run past the end.
    odd = tmp_path / "my-model.tflite"
    odd.write_bytes(model_path.read_bytes()[:keep])
    with pytest.raises(ModelError, match="truncated or damaged"):
        mf.check(odd)


@pytest.mark.model
def test_the_real_model_walks_clean_under_any_name(model_path, tmp_path):
    odd = tmp_path / "renamed.tflite"
    shutil.copy(model_path, odd)
    assert mf.check(odd) is None


@pytest.mark.model
def test_fetch_unpacks_a_kaggle_style_tar_gz(dirs, model_path, tmp_path):
    import tarfile

    _, _, cache = dirs
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(model_path, arcname="4.tflite")
    path = mf.fetch("lightning_int8", url=archive.as_uri())
    assert path.read_bytes() == model_path.read_bytes()
    assert [p.name for p in cache.iterdir()] == [NAME]


def test_fetch_of_an_archive_without_a_model_installs_nothing(dirs, tmp_path):
    import tarfile

    _, _, cache = dirs
    (tmp_path / "README").write_text("no model here")
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "README", arcname="README")
    with pytest.raises(ModelError, match="holds 0 .tflite files"):
        mf.fetch("lightning_int8", url=archive.as_uri())
    assert list(cache.iterdir()) == []
