"""Who is calling: resolved once per request from the bearer token or session.

The city is the request's tenant (set by the host name), never
``connection.schema_name``: in async code the connection may still say
"public" (a known django-tenants pitfall).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.http import HttpRequest
from strawberry.django.context import StrawberryDjangoContext

from kanal.net import client_ip
from people.actors import Actor
from people.tokens import NotAuthenticated, actor_for_token


@dataclass
class KanalContext(StrawberryDjangoContext):
    auth_error: NotAuthenticated | None = field(default=None, init=False)

    @property
    def city(self):
        return self.request.tenant

    @cached_property
    def actor(self) -> Actor:
        request: HttpRequest = self.request
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            try:
                return actor_for_token(self.city.slug, header[7:].strip())
            except NotAuthenticated as exc:
                self.auth_error = exc
                return Actor.anonymous()
        # Session cookies are deliberately ignored: the endpoint is CSRF-exempt,
        # so only bearer tokens (staffLogin / verifyOtp) authenticate.
        return Actor.anonymous()

    def client_ip(self) -> str:
        return client_ip(self.request)
