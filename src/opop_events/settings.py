"""Settings read once from the environment (`OPOP_*` variables)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from opop_events.core.i18n import _

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "opop-dev-secret-not-for-production"  # noqa: S105 - development only; production requires its own
IPNetwork = IPv4Network | IPv6Network


class SettingsError(RuntimeError):
    """The environment does not describe a runnable configuration."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    secret_key: str
    production: bool
    reports_dir: Path
    fixtures_dir: Path
    base_url: str
    cookie_secure: bool
    follow_up_days: int
    link_ttl_hours: int
    login_attempts_per_minute: int
    login_free_attempts: int = 5
    login_delay_seconds: int = 2
    login_delay_max_seconds: int = 120
    login_window_minutes: int = 15
    trusted_proxies: tuple[IPNetwork, ...] = ()
    max_deal_rp: int = 100_000_000_000
    review_threshold_rp: int = 5_000_000_000
    api_docs: bool = True
    # e-mail through the outbox (notifications/): empty smtp_url means nothing is sent (messages wait)
    smtp_url: str = ""
    mail_from: str = "OPOP Jawa Barat <noreply@localhost>"
    mail_max_attempts: int = 6

    @property
    def engine(self) -> str:
        return "postgres" if self.database_url.startswith(("postgres://", "postgresql://")) else "sqlite"

    @property
    def sqlite_path(self) -> str:
        url = self.database_url
        return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url.removeprefix("sqlite://")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        production = env.get("OPOP_ENV", "development").lower() == "production"
        secret = env.get("OPOP_SECRET_KEY", "")
        if not secret:
            if production:
                raise SettingsError(
                    _(
                        "OPOP_SECRET_KEY wajib diisi pada mode produksi (OPOP_ENV=production); "
                        "buat dengan: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                    )
                )
            secret = DEV_SECRET
        elif len(secret) < 32:
            raise SettingsError(_("OPOP_SECRET_KEY minimal 32 karakter"))
        database_url = env.get("OPOP_DATABASE_URL", "").strip() or "sqlite:///opop_events.sqlite"
        if not database_url.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise SettingsError(
                _("OPOP_DATABASE_URL harus berawalan sqlite:/// atau postgresql:// (diterima: {scheme}://…)").format(
                    scheme=database_url.split("://")[0]
                )
            )
        base_url = (env.get("OPOP_BASE_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError(
                _("OPOP_BASE_URL harus berawalan http:// atau https:// (diterima: {value})").format(value=repr(base_url))
            )
        secure_default = "1" if base_url.startswith("https://") else "0"
        return cls(
            database_url=database_url,
            secret_key=secret,
            production=production,
            reports_dir=Path(env.get("OPOP_REPORTS_DIR", "reports")),
            fixtures_dir=Path(env.get("OPOP_FIXTURES_DIR", str(PROJECT_ROOT / "fixtures"))),
            base_url=base_url,
            cookie_secure=env.get("OPOP_COOKIE_SECURE", secure_default) == "1",
            follow_up_days=_whole_number(env, "OPOP_FOLLOW_UP_DAYS", 30, low=1, high=3650),
            link_ttl_hours=_whole_number(env, "OPOP_LINK_TTL_HOURS", 168, low=1, high=24 * 90),
            login_attempts_per_minute=_whole_number(env, "OPOP_LOGIN_ATTEMPTS_PER_MINUTE", 20, low=1, high=10_000),
            login_free_attempts=_whole_number(env, "OPOP_LOGIN_FREE_ATTEMPTS", 5, low=1, high=1000),
            login_delay_seconds=_whole_number(env, "OPOP_LOGIN_DELAY_SECONDS", 2, low=1, high=3600),
            login_delay_max_seconds=_whole_number(env, "OPOP_LOGIN_DELAY_MAX_SECONDS", 120, low=1, high=24 * 3600),
            login_window_minutes=_whole_number(env, "OPOP_LOGIN_WINDOW_MINUTES", 15, low=1, high=24 * 60),
            trusted_proxies=_networks(env, "OPOP_TRUSTED_PROXIES"),
            # the deal rules (deals/rules.py): a cap on one deal's total, and where Dinas takes a second look
            max_deal_rp=_whole_number(env, "OPOP_MAX_DEAL_RP", 100_000_000_000, low=1_000_000, high=10**15),
            review_threshold_rp=_whole_number(env, "OPOP_REVIEW_THRESHOLD_RP", 5_000_000_000, low=1, high=10**15),
            api_docs=_switch(env, "OPOP_API_DOCS", default=not production),
            smtp_url=_smtp_url(env),
            mail_from=env.get("OPOP_MAIL_FROM", "").strip() or "OPOP Jawa Barat <noreply@localhost>",
            mail_max_attempts=_whole_number(env, "OPOP_MAIL_MAX_ATTEMPTS", 6, low=1, high=100),
        )


def _smtp_url(env: dict[str, str]) -> str:
    url = env.get("OPOP_SMTP_URL", "").strip()
    if url and not url.startswith(("smtp://", "smtps://", "smtp+starttls://")):
        raise SettingsError(
            _("OPOP_SMTP_URL harus berawalan smtp://, smtp+starttls:// atau smtps:// (diterima: {scheme}://…)").format(
                scheme=url.split("://")[0]
            )
        )
    return url


def _switch(env: dict[str, str], name: str, *, default: bool) -> bool:
    text = env.get(name, "").strip().lower()
    if not text:
        return default
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(
        _("{name} harus 1 (nyala) atau 0 (mati) (diterima: {value})").format(name=name, value=repr(text))
    )


def _whole_number(env: dict[str, str], name: str, default: int, *, low: int, high: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(
            _("{name} harus bilangan bulat antara {low} dan {high} (diterima: {value})").format(
                name=name, low=low, high=high, value=repr(text)
            )
        ) from None
    if not low <= value <= high:
        raise SettingsError(
            _("{name} harus antara {low} dan {high} (diterima: {value})").format(
                name=name, low=low, high=high, value=value
            )
        )
    return value


def _networks(env: dict[str, str], name: str) -> tuple[IPNetwork, ...]:
    """A comma-separated list of IP addresses or CIDR ranges (e.g. `127.0.0.1, 10.0.0.0/8`); empty: none."""
    found = []
    for part in env.get(name, "").split(","):
        if part.strip():
            try:
                found.append(ip_network(part.strip(), strict=False))
            except ValueError:
                raise SettingsError(
                    _("{name} harus berisi alamat IP atau rentang CIDR dipisah koma (diterima: {value})").format(
                        name=name, value=repr(part.strip())
                    )
                ) from None
    return tuple(found)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()


def new_secret() -> str:
    return secrets.token_urlsafe(48)
