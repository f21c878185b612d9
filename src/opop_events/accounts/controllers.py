"""JSON API of accounts: tokens for scripts, who am I, users (admin)."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody

from opop_events.accounts import limiter, schemas, services
from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor, require_role
from opop_events.api import PUBLIC, CurrentActor, problems
from opop_events.core.i18n import N_
from opop_events.settings import get_settings


def _me(actor: Actor) -> schemas.Me:
    return schemas.Me(
        id=actor.user_id,
        email=actor.email,
        name=actor.name,
        role=actor.role,
        pesantren_id=actor.pesantren_id,
        buyer_id=actor.buyer_id,
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["Akun"]

    @post(
        "/token",
        operation_id="issueToken", opt=PUBLIC,
        summary=N_("Tukar email dan kata sandi dengan token API (Bearer)"),
        responses=problems(400, 401, 422, 429),
    )
    async def issue_token(self, request: Request, data: JSONBody[schemas.TokenRequest]) -> schemas.TokenResponse:
        settings = get_settings()
        actor = await services.authenticate(
            email=data.email,
            password=data.password,
            ip=limiter.request_address(request, settings.trusted_proxies),
            known_device=request.cookies.get(limiter.KNOWN_DEVICE_COOKIE, ""),
            settings=settings,
        )
        return schemas.TokenResponse(token=await services.issue_api_token(actor=actor, label=data.label))

    @delete("/token", operation_id="revokeToken", summary=N_("Cabut token yang sedang dipakai"), responses=problems(401))
    async def revoke_token(self, request: Request, actor: CurrentActor) -> None:
        actor = require_actor(actor)
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        await services.revoke_api_token(actor=actor, token=token)

    @post(
        "/password",
        operation_id="changePassword",
        summary=N_("Ganti kata sandi"),
        responses=problems(400, 401, 422),
        status_code=204,
    )
    async def change_password(self, actor: CurrentActor, data: JSONBody[schemas.PasswordChange]) -> None:
        await services.change_password(
            actor=require_actor(actor), old_password=data.old_password, new_password=data.new_password
        )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["Akun"]

    @get("/", operation_id="getMe", summary=N_("Akun yang sedang masuk"), responses=problems(401))
    async def me(self, actor: CurrentActor) -> schemas.Me:
        return _me(require_actor(actor))


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["Akun"]

    @get("/", operation_id="listUsers", summary=N_("Daftar pengguna (admin)"), responses=problems(401, 403))
    async def list_users(self, actor: CurrentActor) -> list[schemas.Me]:
        return [_me(a) for a in await services.list_users(actor=actor)]

    @post("/", operation_id="createUser", summary=N_("Buat akun (admin)"), responses=problems(400, 401, 403, 409, 422))
    async def create_user(self, actor: CurrentActor, data: JSONBody[schemas.UserCreate]) -> schemas.Me:
        require_role(actor, Role.admin)
        created = await services.create_user(
            email=data.email,
            password=data.password,
            role=data.role,
            name=data.name,
            pesantren_id=data.pesantren_id,
            buyer_id=data.buyer_id,
        )
        return _me(created)


CONTROLLERS = [AuthController, MeController, UserController]
