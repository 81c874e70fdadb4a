"""The Voilà application `okmo hearing` runs: stock Voilà with three fixes for a hall.

Run as ``python -m okmo_models.hearing.voila_app NOTEBOOK [voila options]`` by
:mod:`okmo_models.hearing.serve` (imported only in that process: Voilà is slow to import).

- Only this computer's names reach any page (jupyter_server's ``allow_remote_access=False``,
  which standalone Voilà turns on; its static files are held to the same rule): a page
  fetched through a foreign name (DNS rebinding) is refused.
- A closing page gives its kernel back at once: Voilà's unload beacon posts the ``_xsrf``
  cookie, which Voilà never sets (voila-dashboards/voila#1458, refused with 403).
- A preheated kernel handed to a page counts as active from that moment, so the idle culler
  does not take it before the page has connected.

``/voila/templates/<name>/<file>`` (no ``static``) answers 404 instead of Voilà's 500.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from datetime import datetime, timezone

# Voilà imports jupyter_events, whose jsonschema format checkers import rfc3987_syntax: it
# builds ~35 Earley parsers on import, 1-3 s of every start here, for "iri" formats no Jupyter
# schema uses (jupyter_server#1559, python-jsonschema/jsonschema#1428). Without it jsonschema
# just does not check those formats.
sys.modules.setdefault("rfc3987_syntax", None)

from jupyter_server.base.handlers import JupyterHandler
from tornado.httputil import split_host_and_port
from tornado.web import HTTPError
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

LOCAL_HOSTNAMES = ["localhost"]


def is_local_host(host_header: str, hostnames=LOCAL_HOSTNAMES) -> bool:
    """Whether a Host header names this computer (a loopback address or ``localhost``)."""
    host, _ = split_host_and_port(host_header.lower())
    host = host.strip("[]")  # IPv6 as browsers write it
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in hostnames


class LocalOnly:
    """For Voilà's handlers that are not jupyter_server's (static files, the preheat query
    socket): the Host check jupyter_server applies to the others."""

    def prepare(self):
        if not is_local_host(self.request.host, self.settings.get("local_hostnames", LOCAL_HOSTNAMES)):
            raise HTTPError(403)
        return super().prepare()


class TemplateFiles(TemplateStaticFileHandler):
    def parse_url_path(self, path):
        parts = os.path.normpath(path).split(os.sep)
        if len(parts) < 3 or parts[1] != "static":  # Voilà asserts this and answers 500
            raise HTTPError(404)
        return super().parse_url_path(path)


class Page(TornadoVoilaHandler):
    async def get(self, path=None):
        _ = self.xsrf_token  # sets the _xsrf cookie the unload beacon sends back
        return await super().get(path)


REPLACED = {TemplateStaticFileHandler: TemplateFiles, TornadoVoilaHandler: Page}


class HearingVoila(Voila):
    def init_settings(self):
        settings = super().init_settings()
        # start() applies Voila.tornado_settings after these, so configuration still wins
        settings.update(allow_remote_access=False, local_hostnames=LOCAL_HOSTNAMES)
        manager = self.kernel_manager
        if hasattr(manager, "get_rendered_notebook"):  # preheated kernels
            hand_out = manager.get_rendered_notebook

            async def get_rendered_notebook(*args, **kwargs):
                task, rendered, kernel_id = await hand_out(*args, **kwargs)
                # idle since it was heated: without this the culler may take it before the
                # page's websocket connects
                manager.get_kernel(kernel_id).last_activity = datetime.now(timezone.utc)
                return task, rendered, kernel_id

            manager.get_rendered_notebook = get_rendered_notebook
        return settings

    def init_handlers(self):
        handlers = []
        for pattern, handler, *rest in super().init_handlers():
            handler = REPLACED.get(handler, handler)
            if not issubclass(handler, JupyterHandler):
                handler = type(handler.__name__, (LocalOnly, handler), {})
            handlers.append((pattern, handler, *rest))
        return handlers


main = HearingVoila.launch_instance

if __name__ == "__main__":
    main()
