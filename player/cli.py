"""``signage-player run``: the screen client; ``blackout`` and ``resume``: a local blackout."""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import signal
from pathlib import Path

import click

from player.blackout import LocalBlackout
from player.client import ControllerClient
from player.clock import ServerClock
from player.config import PlayerConfig
from player.errors import ConfigError, FontNotFound
from player.fonts import find_fonts
from player.output import check_spec, open_outputs
from player.provision import read_provision
from player.runner import Player
from player.spool import Spool
from player.store import Store
from player.trust import Trust
from playlists.signing import PublicKey

log = logging.getLogger(__name__)


@click.group()
def cli() -> None:
    """Signage screen player: shows a screen's playlist and logs what it showed."""


@cli.command()
@click.option(
    "--provision",
    "provision_file",
    type=click.Path(dir_okay=False),
    help="the screen's provisioning file (from 'signage screen add --provision'): the "
    "controller's URL, the token and the controller's key; nothing else is needed",
)
@click.option(
    "--controller",
    help="the controller's URL, e.g. http://10.0.0.5:8080 (with --provision: instead of the "
    "file's)",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False),
    help="file holding the screen's token (from 'signage screen add'); the controller's key is "
    "then trusted at first contact",
)
@click.option(
    "--output",
    "output_specs",
    required=True,
    multiple=True,
    help="png:DIR, window[:X,Y] or fb:/dev/fb0; repeat for several",
)
@click.option(
    "--cache",
    "cache_dir",
    default="player-cache",
    show_default=True,
    type=click.Path(file_okay=False),
    help="where the playlist, media and spool live",
)
@click.option("--font", type=click.Path(dir_okay=False), help="a CJK font file to draw with")
@click.option("-v", "--verbose", is_flag=True, help="log at DEBUG (same as --log-level DEBUG)")
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="INFO",
    show_default=True,
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    help="log to this file too, rotated at 10 MB with 5 old files kept",
)
def run(
    provision_file: str | None,
    controller: str | None,
    token_file: str | None,
    output_specs: tuple[str, ...],
    cache_dir: str,
    font: str | None,
    verbose: bool,
    log_level: str,
    log_file: str | None,
) -> None:
    """Poll the controller, show the playlist, log every display."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_file, maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8"
            )
        )
    logging.basicConfig(
        level=logging.DEBUG if verbose else log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
    )
    provisioned: PublicKey | None = None
    screen: str | None = None
    if provision_file is not None:
        if token_file:
            raise click.UsageError("give --provision, or --controller and --token-file")
        try:
            provision = read_provision(Path(provision_file))
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        token, provisioned = provision.token, provision.key
        controller = controller or provision.controller
        screen = provision.screen
    else:
        if not controller or not token_file:
            raise click.UsageError("give --provision FILE, or --controller and --token-file")
        try:
            token = Path(token_file).read_text().strip()
        except OSError as exc:
            raise click.BadParameter(str(exc), param_hint="--token-file") from None
        if not token:
            raise click.BadParameter("the file is empty", param_hint="--token-file")
    if not controller.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--controller")
    for spec in output_specs:
        try:
            check_spec(spec)
        except ConfigError as exc:
            raise click.BadParameter(str(exc), param_hint="--output") from None
    try:
        fonts = find_fonts(font)
    except FontNotFound as exc:
        raise click.ClickException(str(exc)) from None
    config = PlayerConfig(
        controller=controller,
        token=token,
        output=",".join(output_specs),
        cache_dir=Path(cache_dir),
        font=font,
    )
    clock = ServerClock()
    store = Store(config.cache_dir)
    spool = Spool(config.cache_dir / "spool.sqlite3")
    if spool.recovered:
        log.warning(
            "%d display(s) cut short by the last stop queued as interrupted", spool.recovered
        )
    trust = Trust(config.cache_dir / "trust.json", provisioned, screen=screen)
    if provisioned is None and trust.key is None:
        log.warning("no provisioning file: the controller's key will be trusted at first contact")
    player = Player(
        config,
        client=ControllerClient(controller, token, clock=clock),
        store=store,
        spool=spool,
        fonts=fonts,
        clock=clock,
        open_output=lambda w, h: open_outputs(
            list(output_specs),
            w,
            h,
            on_blackout_key=lambda: LocalBlackout(config.cache_dir).toggle(
                "本机键盘一键关停", dt.datetime.now(dt.UTC)
            ),
        ),
        trust=trust,
    )

    def stop(_signum: int, _frame: object) -> None:
        player.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        player.run()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        spool.close()


CACHE_OPTION = click.option(
    "--cache",
    "cache_dir",
    default="player-cache",
    show_default=True,
    type=click.Path(file_okay=False),
    help="the cache folder of the player to black out (as given to 'run')",
)


@cli.command()
@CACHE_OPTION
@click.option("--reason", default="", help="why, for the record and the controller")
def blackout(cache_dir: str, reason: str) -> None:
    """Black out the screen now (一键关停), controller reachable or not; it stays black,
    across restarts, until 'resume'."""
    folder = Path(cache_dir)
    if not folder.is_dir():
        raise click.BadParameter(
            f"{cache_dir} is not a player's cache folder", param_hint="--cache"
        )
    done = LocalBlackout(folder).set(reason, dt.datetime.now(dt.UTC))
    click.echo(f"blacked out since {done.since}" + (f": {done.reason}" if done.reason else ""))


@cli.command()
@CACHE_OPTION
def resume(cache_dir: str) -> None:
    """Lift a local blackout: the screen shows its playlist again at once."""
    lifted = LocalBlackout(Path(cache_dir)).lift()
    if lifted is None:
        raise click.ClickException(f"no local blackout is in force in {cache_dir}")
    click.echo(f"blackout lifted (it was in force since {lifted.since})")


def main() -> None:
    cli(prog_name="signage-player")


if __name__ == "__main__":
    main()
