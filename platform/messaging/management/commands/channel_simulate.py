"""``manage.py channel_simulate <city> <channel> "text" [--photo F] [--location=LAT,LON]``

Plays a citizen on WhatsApp, Telegram, SMS or e-mail against the running demo:
it posts a correctly signed webhook, exactly as the provider would, to the
city's host, and prints what the bot answered (read back from the fake
provider the demo runs). A development tool: the secrets and addresses come
from ``.kanal/demo.env``, written by ``scripts/demo.sh``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

CHANNELS = ("whatsapp", "telegram", "sms", "email")


class Command(BaseCommand):
    help = "Send a message to the running demo as a citizen on a messaging channel."

    def add_arguments(self, parser):
        parser.add_argument("city", help="the city's slug, e.g. mataram")
        parser.add_argument("channel", choices=CHANNELS)
        parser.add_argument("text", nargs="?", default="", help="what the citizen writes")
        parser.add_argument("--photo", type=Path, help="a photo file to send with it")
        parser.add_argument(
            "--location", help="a shared location: --location=LAT,LON (the = lets LAT be negative)"
        )
        parser.add_argument(
            "--from",
            dest="sender",
            default="",
            help="the sender: a phone number (WhatsApp, SMS), a chat id (Telegram), "
            "an address (e-mail); a demo default otherwise",
        )
        parser.add_argument(
            "--share-contact",
            action="store_true",
            help="Telegram: share the sender's own phone number (as the contact button does)",
        )
        parser.add_argument("--server", default="", help="the demo's address (host:port)")
        parser.add_argument("--wait", type=float, default=15.0, help="seconds to wait for answers")

    def handle(self, *args, **options):
        from devtools.demo_channels import read_demo_env
        from devtools.simulate import Simulation, SimulationError

        for key, value in read_demo_env().items():
            os.environ.setdefault(key, value)
        if not os.environ.get("KANAL_DEMO_FAKES_URL"):
            raise CommandError(
                "No running demo found (.kanal/demo.env is missing): start it with "
                "`bash scripts/demo.sh` first."
            )
        location = None
        if options["location"]:
            try:
                lat, lon = (float(x) for x in options["location"].split(","))
            except ValueError as exc:
                raise CommandError("--location must be LAT,LON, e.g. -8.5833,116.1167") from exc
            location = (lat, lon)
        photo = None
        if options["photo"]:
            if not options["photo"].is_file():
                raise CommandError(f"--photo: no such file {options['photo']}")
            photo = options["photo"].read_bytes()
        if not (options["text"] or photo or location or options["share_contact"]):
            raise CommandError("Say something: a text, --photo, --location or --share-contact.")
        server = options["server"] or os.environ.get("KANAL_DEMO_ADDR", "127.0.0.1:8000")
        try:
            simulation = Simulation(
                city=options["city"],
                channel=options["channel"],
                server=server,
                sender=options["sender"],
            )
            before = simulation.answers()
            status = simulation.send(
                text=options["text"],
                photo=photo,
                location=location,
                share_contact=options["share_contact"],
            )
        except SimulationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"→ {simulation.describe()} · webhook answered {status}")
        if status >= 300:
            return
        deadline = time.monotonic() + options["wait"]
        seen = len(before)
        quiet_since = None
        while time.monotonic() < deadline:
            answers = simulation.answers()
            if len(answers) > seen:
                for answer in answers[seen:]:
                    self.stdout.write(self.style.SUCCESS("← bot:"))
                    self.stdout.write(answer)
                seen = len(answers)
                quiet_since = time.monotonic()
            elif quiet_since and time.monotonic() - quiet_since > 1.5:
                return
            time.sleep(0.3)
        if seen == len(before):
            self.stdout.write(
                "(no answer yet: is the demo's worker running? e-mail answers are printed "
                "by the worker's console)"
            )
