"""Getting a source's data: a spreadsheet over HTTP(S), or rows from a PostgreSQL warehouse.

Outbound connections (sources here, and the notifications' webhooks) never reach a private, loopback, link-local or reserved address
unless ``settings.SOURCES_ALLOWED_HOSTS`` names the host: checked after DNS resolution,
for the first URL and for every redirect (followed by hand, at most MAX_REDIRECTS), and for
the warehouse's host. Limit: the address is checked, then httpx resolves the name again,
so a DNS answer that changes in between (rebinding) is not caught. An address written as a
private one (an IP literal, localhost) is refused already when a source is saved
(``literal_private``), in the words the fetch would use.
"""
from __future__ import annotations

import csv
import io
import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 20
SQL_TIMEOUT_MS = 30_000
SQL_MAX_ROWS = 200_000


class FetchError(Exception):
    """Why a source could not be read (a translated sentence)."""


def _max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def check_host(host: str, port: int | None = None) -> None:
    """Raise FetchError unless every address ``host`` resolves to is public or allowed."""
    if not host:
        raise FetchError(_("The address has no host."))
    allowed = {h.lower() for h in getattr(settings, "SOURCES_ALLOWED_HOSTS", [])}
    if host.lower() in allowed:
        return
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(_("The host %(host)s could not be found.") % {"host": host}) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise FetchError(_("The host %(host)s is on a private network; an administrator "
                               "must allow it first.") % {"host": host})


def literal_private(host: str) -> bool:
    """Whether ``host`` is, without asking DNS, a private, loopback, link-local or reserved
    address (an IP literal or localhost) that ``SOURCES_ALLOWED_HOSTS`` does not name."""
    host = (host or "").lower().strip("[]")
    if host in {h.lower() for h in getattr(settings, "SOURCES_ALLOWED_HOSTS", [])}:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host.split("%")[0]).is_global
    except ValueError:
        return False


def check_url(url: str) -> None:
    """Raise FetchError unless ``url`` is http(s) to a public (or allowed) host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(_("The address is not valid.")) from None
    if parts.scheme not in {"http", "https"}:
        raise FetchError(_("Only http and https addresses can be fetched."))
    check_host(parts.hostname or "", port)


def fetch_url(url: str) -> tuple[str, bytes]:
    """(file name, bytes) of a CSV or XLSX at ``url``; redirects checked one by one."""
    limit = _max_bytes()
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(url)
            try:
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise FetchError(_("The server answered %(status)s.")
                                         % {"status": response.status_code})
                    data = bytearray()
                    for chunk in response.iter_bytes():
                        data += chunk
                        if len(data) > limit:
                            raise FetchError(_("The file is larger than %(limit)s MB.")
                                             % {"limit": limit // (1024 * 1024)})
                    return _filename(url, response.headers.get("content-type", "")), bytes(data)
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as error:
                raise FetchError(_("The address could not be read: %(error)s")
                                 % {"error": type(error).__name__}) from None
    raise FetchError(_("Too many redirects."))


def _filename(url: str, content_type: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "source"
    if "spreadsheetml" in content_type and not name.lower().endswith(".xlsx"):
        return name + ".xlsx"
    if not name.lower().endswith((".csv", ".xlsx", ".txt")):
        return name + ".csv"
    return name


def rows_to_csv(columns: list[str], rows) -> bytes:
    """A header row and the rows as UTF-8 CSV, which the spreadsheet readers take as is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return out.getvalue().encode()


def fetch_sql(dsn: str, query: str, *, max_rows: int = SQL_MAX_ROWS,
              timeout_ms: int = SQL_TIMEOUT_MS) -> tuple[str, bytes]:
    """Run ``query`` in a read-only transaction with a statement timeout; rows as CSV."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        raise FetchError(_("The connection string is not valid.")) from None
    for host in str(params.get("host") or "").split(","):
        if host.startswith("/"):
            raise FetchError(_("Only warehouses reached over the network can be queried."))
        check_host(host, int(params.get("port") or 5432))
    # The server writes the CSV itself (COPY … TO STDOUT), streamed here and read by the same
    # reader as uploads: no row becomes Python objects twice. The query stays one statement
    # in parentheses, so "SELECT …; DROP …" is a syntax error, and the read-only
    # transaction refuses any write (INSERT … RETURNING included).
    statement = query.strip().rstrip(";").strip()
    limit, data, lines = _max_bytes(), bytearray(), 0
    try:
        with psycopg.connect(dsn, connect_timeout=10, autocommit=False) as connection:
            connection.read_only = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)",
                               [str(timeout_ms)])
                copy = f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)"
                with cursor.copy(copy) as out:
                    for chunk in out:
                        seen = len(data)
                        data += chunk
                        lines += data.count(b"\n", seen)
                        # A line is a row (a quoted line break counts twice: errs on refusing).
                        if lines > max_rows + 1:
                            raise FetchError(_("The query returned more than %(count)s rows.")
                                             % {"count": f"{max_rows:,}"})
                        if len(data) > limit:
                            raise FetchError(_("The file is larger than %(limit)s MB.")
                                             % {"limit": limit // (1024 * 1024)})
            connection.rollback()
    except psycopg.errors.QueryCanceled:
        raise FetchError(_("The query took longer than %(seconds)s seconds.")
                         % {"seconds": timeout_ms // 1000}) from None
    except psycopg.Error as error:
        message = (getattr(error.diag, "message_primary", None) or type(error).__name__)
        raise FetchError(_("The warehouse refused the query: %(error)s")
                         % {"error": message}) from None
    if lines <= 1:
        raise FetchError(_("The query returned no rows."))
    return "query.csv", bytes(data)
