"""An LTI 1.3 platform for the tests, built from `lti1p3platform` (a platform library by others,
from PyPI): its OIDC login initiation, launch message builder and signer, token endpoint,
deep-linking response check, AGS score/results and NRPS membership handlers run for real, served
by the live server beside the tool (tests/lti/platform_urls.py), and the tool reaches them over
HTTP as it would reach a real LMS. What the platform stores (line items, scores, members) is
its own, in `STATE`.
"""
import functools
import itertools
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from csp.decorators import csp_exempt
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from jwcrypto.jwk import JWK
from lti1p3platform.exceptions import LineItemNotFoundException, LtiException
from lti1p3platform.framework.django.message_launch import DjangoLTI1P3MessageLaunch
from lti1p3platform.framework.django.oidc_login import DjangoAPIOIDCLogin
from lti1p3platform.framework.django.request import DjangoRequest
from lti1p3platform.framework.django.response import wrap_json_resp
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.registration import Registration
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)

ISSUER = "https://lms.example.test"
CLIENT_ID = "study-tool-client"
DEPLOYMENT_ID = "deployment-1"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


@functools.cache
def keypair(owner: str) -> tuple[str, str]:
    """`owner`'s 2048-bit RSA pair (private PEM, public PEM), made once per test process:
    generating one takes a tenth of a second and every LTI test needs two, the platform's and the
    tool's (each its own, so neither can verify what the other signed)."""
    key = JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem(private_key=True, password=None).decode(), key.export_to_pem().decode()


@dataclass
class State:
    base_url: str = ""
    private_pem: str = ""
    public_pem: str = ""
    hints: dict = field(default_factory=dict)
    lineitems: dict = field(default_factory=dict)          # id (str) -> line item
    links: dict = field(default_factory=dict)              # resource link id -> {"custom", "lineitem", "title"}
    scores: dict = field(default_factory=lambda: defaultdict(dict))  # line item id -> {userId: score}
    members: list = field(default_factory=list)
    deep_link_items: list = field(default_factory=list)
    fail_scores_with: int | None = None                     # answer score posts with this HTTP status
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))


STATE = State()


def reset(base_url: str) -> State:
    global STATE
    STATE = State(base_url=base_url)
    STATE.private_pem, STATE.public_pem = keypair("platform")
    return STATE


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        pass

    def get_registration_by_params(self, **kwargs):
        base = STATE.base_url
        return (Registration().set_iss(ISSUER).set_client_id(CLIENT_ID).set_deployment_id(DEPLOYMENT_ID)
                .set_oidc_login_url(f"{base}/lti/login/").set_launch_url(f"{base}/lti/launch/")
                .set_deeplink_launch_url(f"{base}/lti/launch/").set_tool_key_set_url(f"{base}/lti/jwks.json")
                .set_platform_public_key(STATE.public_pem).set_platform_private_key(STATE.private_pem))


def conf() -> PlatformConf:
    c = PlatformConf()
    c.get_registration()
    return c


class PlatformLogin(DjangoAPIOIDCLogin):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]


def login_initiation_url(**spec) -> str:
    """Where the LMS sends the browser to start a launch (OIDC third-party initiated login)."""
    hint = secrets.token_urlsafe(8)
    STATE.hints[hint] = spec
    login = PlatformLogin(None, conf())
    login.set_lti_message_hint(hint=hint)
    return login.prepare_preflight_url(spec["user_id"])


def lineitem_url(item_id: str) -> str:
    return f"{STATE.base_url}/platform/lineitems/{item_id}"


@xframe_options_exempt
@csp_exempt()
def course_page(request):
    """An LMS course page showing the tool in an iframe, started at `?launch=` (a login initiation URL)."""
    return HttpResponse(f"<!DOCTYPE html><html lang=en><head><title>LMS course</title></head><body>"
                        f"<h1>LMS course</h1><iframe src=\"{escape(request.GET['launch'])}\" title=\"Study tool\" "
                        f"width=900 height=600></iframe></body></html>")


@xframe_options_exempt
@csp_exempt()
def auth(request):
    """The platform's OIDC auth endpoint: answers the tool's redirect with the signed launch."""
    spec = STATE.hints.get(request.GET.get("lti_message_hint"))
    if spec is None or request.GET.get("login_hint") != spec["user_id"]:
        return HttpResponseForbidden("unknown launch")
    base = STATE.base_url
    launch = DjangoLTI1P3MessageLaunch(DjangoRequest(request), conf())
    launch.set_user_data(spec["user_id"], spec["roles"], full_name=spec.get("name"), email_address=spec.get("email"))
    launch.set_launch_context_claim(spec["context_id"], context_title=spec.get("context_title", spec["context_id"]))
    link = STATE.links.get(spec.get("resource_link_id"), {})
    if spec.get("deep_link"):
        launch.set_dl(f"{base}/platform/deep-link-return/", title="Add content", extra_data={"echo": "back"})
    else:
        launch.set_resource_link_claim(spec["resource_link_id"], title=link.get("title", "A link"))
    custom = spec.get("custom", link.get("custom"))
    if custom:
        launch.set_custom_parameters_claim(custom)
    launch.set_ags(lineitems_url=f"{base}/platform/lineitems", lineitem_url=link.get("lineitem"),
                   allow_creating_lineitems=True)
    launch.set_nrps(f"{base}/platform/memberships/{spec['context_id']}")
    launch.set_id_token_expiration(spec.get("expires_in", 300))
    return launch.lti_launch()


@csrf_exempt
def token(request):
    try:
        return JsonResponse(conf().get_access_token(request.POST.dict()))
    except LtiException as exc:
        return JsonResponse({"error": str(exc)}, status=400)


def jwks(request):
    return JsonResponse(conf().get_jwks())


@csrf_exempt
@csp_exempt()
def deep_link_return(request):
    """Checks the tool's signed deep-linking response, and makes the links it asks for."""
    items = conf().validate_deeplinking_resp(request.POST.dict())
    for item in items:
        rl_id = f"link-{next(STATE.ids)}"
        link = {"custom": item.get("custom"), "title": item.get("title"), "lineitem": None}
        if item.get("lineItem"):
            item_id = str(next(STATE.ids))
            STATE.lineitems[item_id] = {**item["lineItem"], "id": lineitem_url(item_id), "resourceLinkId": rl_id}
            link["lineitem"] = lineitem_url(item_id)
        STATE.links[rl_id] = link
        STATE.deep_link_items.append({**item, "resource_link_id": rl_id})
    return HttpResponse(f"<p data-platform-added>{len(items)} added</p>")


class PlatformAgs(AssignmentsGradesService):
    def find_lineitems(self, page=1, limit=None, line_item_id=None, resource_link_id=None, resource_id=None,
                       tag=None, **kwargs):
        return {"content": list(STATE.lineitems.values()), "has_next": False, "next": None}

    def find_lineitem(self, line_item_id):
        if line_item_id not in STATE.lineitems:
            raise LineItemNotFoundException
        return STATE.lineitems[line_item_id]

    def create_lineitem(self, creation_data):
        item_id = str(next(STATE.ids))
        STATE.lineitems[item_id] = {**creation_data, "id": lineitem_url(item_id)}
        return STATE.lineitems[item_id]

    def update_lineitem(self, update_data):
        raise NotImplementedError

    def delete_lineitem(self, line_item_id):
        raise NotImplementedError

    def update_score(self, line_item_id, score):
        self.find_lineitem(line_item_id)
        STATE.scores[line_item_id][score["userId"]] = score
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, page=1, limit=None, user_id=None, **kwargs):
        self.find_lineitem(line_item_id)
        content = [{"id": f"{lineitem_url(line_item_id)}/results/{uid}", "userId": uid,
                    "resultScore": s["scoreGiven"], "resultMaximum": s["scoreMaximum"],
                    "scoreOf": lineitem_url(line_item_id)} for uid, s in STATE.scores[line_item_id].items()]
        return {"content": content, "has_next": False, "next": None}


def ags(request, item_id=None) -> PlatformAgs:
    return PlatformAgs(DjangoRequest(request), conf(), lineitems_url=f"{STATE.base_url}/platform/lineitems",
                       lineitem_url=lineitem_url(item_id) if item_id else None)


@csrf_exempt
def lineitems(request):
    service = ags(request)
    handler = service.handle_create_lineitem if request.method == "POST" else service.handle_get_lineitems
    return wrap_json_resp(service.handle_resp(handler))


@csrf_exempt
def scores(request, item_id):
    if STATE.fail_scores_with:
        return JsonResponse({"error": "the gradebook is closed"}, status=STATE.fail_scores_with)
    service = ags(request, item_id)
    return wrap_json_resp(service.handle_resp(service.handle_update_score, line_item_id=item_id))


def results(request, item_id):
    service = ags(request, item_id)
    return wrap_json_resp(service.handle_resp(service.handle_get_results, line_item_id=item_id))


class PlatformNrps(NamesRoleProvisioningService):
    def get_member_data_page(self, page=1, limit=None, role=None, since=None, **kwargs):
        return {"content": [dict(m) for m in STATE.members], "has_next": False, "next": None}

    def get_context_by_id(self):
        context_id = self.nrps.context_memberships_url.rstrip("/").rsplit("/", 1)[-1]
        return Context(id=context_id, label=context_id, title=context_id)


def memberships(request, context_id):
    service = PlatformNrps(DjangoRequest(request), conf(), f"{STATE.base_url}/platform/memberships/{context_id}")
    return wrap_json_resp(service.handle_resp(service.handle_get_members))
