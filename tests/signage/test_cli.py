"""The ``signage`` command line, through Click's runner."""

from __future__ import annotations

import json
import stat

import pytest
import sqlalchemy as sa

from player.provision import read_provision
from signage.audit.models import AuditEntry
from signage.keys.services import key_file, read_key
from signage.notices.models import Notice
from tests.signage.conftest import last_line


def test_init_on_a_new_database_creates_admin_and_prints_its_password(run, tmp_path, config):
    fresh = config | {"SIGNAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    result = run("init", config_=fresh)
    assert result.exit_code == 0, result.output
    assert "schema created" in result.output
    password = last_line(result)
    assert len(password) == 16 and " " not in password
    again = run("init", config_=fresh)
    assert again.exit_code == 0 and "schema up to date" in again.output
    assert "admin" not in again.output


def test_init_upgrades_the_test_database_in_place(run):
    result = run("init")
    assert result.exit_code == 0 and "schema up to date" in result.output


def test_commands_refuse_an_empty_database(run, tmp_path, config):
    empty = config | {"SIGNAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    result = run("user", "add", "zhang.min", "--role", "author", config_=empty)
    assert result.exit_code == 1
    assert "signage init" in result.output


def test_user_add_and_token_create(run, client):
    added = run("user", "add", "zhang.min", "--role", "author", "--role", "reviewer")
    assert added.exit_code == 0, added.output
    assert len(last_line(added)) == 16
    token = run("token", "create", "zhang.min", "--name", "网站同步")
    assert token.exit_code == 0, token.output
    text = last_line(token)
    assert text.startswith("sgp_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {text}"}).get_json()
    assert me["roles"] == ["author", "reviewer"]


def test_user_add_with_password_on_stdin(run):
    result = run(
        "user",
        "add",
        "li.hua",
        "--role",
        "reviewer",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "shown this once" not in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("user", "add", "x", "--role", "author"), "user name"),
        (("user", "add", "zhang.min", "--role", "boss"), "'boss' is not one of"),
        (("user", "add", "zhang.min"), "Missing option '--role'"),
        (("token", "create", "nobody"), "no user 'nobody'"),
        (("screen", "add", "hall", "--name", "大厅", "--size", "big"), "not a size"),
        (("screen", "add", "hall", "--name", "大厅", "--size", "64x16", "--hours", "9-5"), "hours"),
        (("screen", "add", "Hall!", "--name", "大厅", "--size", "64x16"), "screen key"),
        (
            (
                "screen",
                "add",
                "hall",
                "--name",
                "大厅",
                "--size",
                "64x16",
                "--timezone",
                "Moon/Base",
            ),
            "time zone",
        ),
        (("screen", "token", "nowhere"), "no screen 'nowhere'"),
        (("serve", "--port", "99999"), "99999"),
    ],
)
def test_bad_arguments_exit_non_zero_with_a_reason(run, args, words):
    result = run(*args)
    assert result.exit_code != 0
    assert words in result.output
    assert "Traceback" not in result.output


def test_user_add_twice(run):
    assert run("user", "add", "zhang.min", "--role", "author").exit_code == 0
    result = run("user", "add", "zhang.min", "--role", "author")
    assert result.exit_code == 1 and "already exists" in result.output


def test_screen_add_creates_groups_and_prints_the_token(run, client, make_user, token_for):
    result = run(
        "screen",
        "add",
        "zwzx-hall-1",
        "--name",
        "政务服务中心大厅主屏",
        "--size",
        "384x128",
        "--color",
        "full",
        "--group",
        "政务服务中心",
        "--hours",
        "1-5 08:30-17:30,6 09:00-12:00",
    )
    assert result.exit_code == 0, result.output
    assert last_line(result).startswith("sgs_")
    screen = client.get(
        "/api/v1/screens/zwzx-hall-1", headers=token_for(make_user("supervisor"))
    ).get_json()
    assert screen["groups"] == ["政务服务中心"] and screen["width"] == 384
    rotated = run("screen", "token", "zwzx-hall-1")
    assert rotated.exit_code == 0 and last_line(rotated) != last_line(result)


def test_demo_loads_chinese_sample_data_once(run, db_session):
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "zhang.min" in result.output and "gov-lobby" in result.output
    statuses = dict(
        db_session.execute(sa.select(Notice.status, sa.func.count()).group_by(Notice.status)).all()
    )
    assert statuses["approved"] >= 5 and statuses["submitted"] == 1 and statuses["expired"] == 1
    again = run("demo")
    assert again.exit_code == 1 and "already loaded" in again.output


def test_verify_logs_passes_then_fails_after_an_edit(run, db_session):
    assert run("demo").exit_code == 0
    ok = run("verify-logs")
    assert ok.exit_code == 0 and "chain intact" in ok.output
    victim = db_session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "notice.approve")
        .order_by(AuditEntry.seq)
        .limit(1)
    )
    db_session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == victim.id).values(actor="someone.else")
    )
    db_session.commit()
    broken = run("verify-logs")
    assert broken.exit_code == 1
    assert f"record {victim.seq}" in broken.output


def test_screen_add_and_token_write_a_provisioning_file_for_the_owner_alone(run, app, tmp_path):
    path = tmp_path / "hall-2.json"
    added = run(
        "screen", "add", "hall-2", "--name", "大厅二号屏", "--size", "192x32",
        "--provision", str(path), "--controller-url", "http://10.0.0.5:8080/",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    provision = read_provision(path)
    assert provision.controller == "http://10.0.0.5:8080" and provision.screen == "hall-2"
    assert provision.token == last_line(added)
    assert provision.key.key_id == read_key(key_file(app.config)).key_id
    again = run("screen", "token", "hall-2", "--provision", str(path))
    assert again.exit_code == 0, again.output
    assert json.loads(path.read_text())["token"] == last_line(again) != provision.token
    assert json.loads(path.read_text())["controller"] == app.config["SIGNAGE_PUBLIC_URL"]
    bad = run("screen", "token", "hall-2", "--provision", str(path), "--controller-url", "x")
    assert bad.exit_code != 0 and "http://" in bad.output


def test_user_passwd_gives_a_new_password_and_user_list_lists_everyone(run, db_session):
    run("user", "add", "zhang.min", "--role", "author", "--display-name", "张敏")
    reset = run("user", "passwd", "zhang.min")
    assert reset.exit_code == 0, reset.output
    assert "sign-ins have ended" in reset.output and len(last_line(reset)) == 16
    chosen = run("user", "passwd", "zhang.min", "--password-stdin", input="another long one\n")
    assert chosen.exit_code == 0 and "shown this once" not in chosen.output
    actions = db_session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action == "user.password_reset")
    ).all()
    assert len(actions) == 2
    listed = run("user", "list")
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.output.splitlines() if x.startswith("zhang.min"))
    assert "author" in line and "yes" in line and line.endswith("张敏")
    for args, words in (
        (("user", "passwd", "nobody"), "no user 'nobody'"),
        (("user", "passwd", "zhang.min", "--password-stdin"), "no password"),
    ):
        refused = run(*args, input="\n")
        assert refused.exit_code != 0 and words in refused.output, refused.output
    short = run("user", "passwd", "zhang.min", "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "at least" in short.output
