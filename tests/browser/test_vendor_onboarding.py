"""A vendor onboards a new city end to end in Chromium: Kota → Tambah kota →
scaffold from a Kemendagri code → plan → Terapkan → invite the first Diskominfo
admin by e-mail (a real SMTP server) → the admin sets a password on the city's
host, signs in to the console, and the citizen app shows the city."""

from __future__ import annotations

import json
import re
import secrets
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import run_in_thread

pytestmark = pytest.mark.slow
VENDOR_PASSWORD = "Vendor-Kanal-2026"
BUSY_PROBE = """
document.addEventListener("submit", () => setTimeout(() => {
  const b = document.querySelector("[data-busy-label]");
  const state = b && {disabled: b.disabled, text: b.textContent};
  if (b) sessionStorage.setItem("kanal-busy", JSON.stringify(state));
}, 0));
"""
ADMIN_PASSWORD = "Pantai-Senggigi-77"


def _make_vendor(username: str) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    connection.set_schema_to_public()
    get_user_model().objects.create_superuser(username, f"{username}@kanal.test", VENDOR_PASSWORD)


def test_vendor_onboards_a_city_and_its_admin_signs_in(
    browser, server, mailbox, django_db_blocker, shot
):
    from playwright.sync_api import expect

    from onboarding.vendor import scaffold_module

    vendor = f"vendor-{secrets.token_hex(3)}"
    run_in_thread(django_db_blocker, _make_vendor, vendor)
    slug = f"lobar-{secrets.token_hex(2)}"
    email = f"diskominfo@{slug}.go.id"
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.add_init_script(BUSY_PROBE)  # notes the apply button's state as it is pressed
    base = f"http://localhost:{server.port}"

    page.goto(f"{base}/admin/login/?next=/admin/")
    page.get_by_label(re.compile("Nama pengguna|Username")).fill(vendor)
    page.get_by_label(re.compile("Kata sandi|Sandi|Password")).fill(VENDOR_PASSWORD)
    page.get_by_role("button", name=re.compile("Masuk|Log in")).click()
    page.get_by_role("link", name="Kota", exact=True).first.click()
    page.get_by_role("link", name=re.compile("Tambah kota", re.I)).click()
    expect(page.get_by_role("heading", name="Dari kode wilayah Kemendagri")).to_be_visible()
    shot(page, "vendor-01-wizard")

    if scaffold_module() is None:  # until the scaffold exists: the upload path
        from tests.vendor.conftest import new_city_yaml

        yaml_text = new_city_yaml(slug, "Lombok Barat").encode()
        page.set_input_files(
            "#id_u-file",
            files=[{"name": f"{slug}.yaml", "mimeType": "application/yaml", "buffer": yaml_text}],
        )
        page.get_by_role("button", name="Periksa dan tampilkan rencana").click()
    else:
        page.get_by_label("Kode wilayah Kemendagri").fill("52.01")
        page.get_by_label("Slug (opsional)").fill(slug)
        page.get_by_label("Titik tengah (opsional)").fill("-8.6, 116.1")
        page.get_by_role("button", name="Buat kerangka dan tampilkan rencana").click()
    expect(page.get_by_role("heading", name=re.compile("Rencana:"))).to_be_visible()
    expect(page.get_by_text(f"{slug}.localhost").first).to_be_visible()
    shot(page, "vendor-02-plan")

    page.get_by_role("button", name="Terapkan").click()
    expect(page.get_by_text("Skema database dibuat")).to_be_visible(timeout=60_000)
    for step in ("Kota dibuat", "Konfigurasi diterapkan", "Domain terdaftar"):
        expect(page.locator("li.done", has_text=step)).to_be_visible()
    busy = json.loads(page.evaluate("() => sessionStorage.getItem('kanal-busy')"))
    assert busy == {"disabled": True, "text": "Menerapkan… (beberapa detik)"}
    citizen = page.get_by_role("link", name=re.compile("Buka aplikasi warga"))
    assert citizen.get_attribute("href") == f"http://{slug}.localhost:{server.port}/"
    shot(page, "vendor-04-result")

    page.get_by_role("link", name=re.compile("undang admin Diskominfo")).click()
    expect(page.get_by_text("WITA (Asia/Makassar)").first).to_be_visible()
    invite = page.locator("#admin-kota")
    invite.get_by_label("Nama").fill("Baiq Nurul Aini")
    invite.get_by_label("E-mail").fill(email)
    invite.get_by_role("button", name="Kirim undangan").click()
    expect(page.get_by_text(f"Undangan dikirim ke {email}")).to_be_visible()
    shot(page, "vendor-05-city-page")

    link = mailbox.invite_link(email)
    assert link.startswith(f"http://{slug}.localhost:{server.port}/undangan/")
    admin_page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    admin_page.goto(link)
    expect(admin_page.get_by_role("heading", name="Atur kata sandi Anda")).to_be_visible()
    admin_page.get_by_label("Kata sandi baru").fill(ADMIN_PASSWORD)
    admin_page.get_by_label("Ulangi kata sandi").fill(ADMIN_PASSWORD)
    shot(admin_page, "vendor-06-set-password")
    admin_page.get_by_role("button", name="Simpan kata sandi").click()
    admin_page.wait_for_url(re.compile(r"/admin/login/"))
    expect(admin_page.get_by_text("Kata sandi tersimpan")).to_be_visible()
    username = re.search(r"Nama pengguna Anda: (\S+)", mailbox.text(mailbox.to(email))).group(1)
    admin_page.get_by_label(re.compile("Nama pengguna|Username")).fill(username)
    admin_page.get_by_label(re.compile("Kata sandi|Sandi|Password")).fill(ADMIN_PASSWORD)
    admin_page.get_by_role("button", name=re.compile("Masuk|Log in")).click()
    expect(admin_page.get_by_text("Riwayat perubahan").first).to_be_visible()
    shot(admin_page, "vendor-07-city-console")

    admin_page.goto(urlsplit(link)._replace(path="/").geturl())
    expect(admin_page.get_by_text(re.compile("Lombok Barat")).first).to_be_visible(timeout=20_000)
    shot(admin_page, "vendor-08-citizen-app")

    admin_page.goto(link)  # the link was for one use
    expect(admin_page.get_by_text(re.compile("tidak berlaku lagi"))).to_be_visible()
    context.close()
