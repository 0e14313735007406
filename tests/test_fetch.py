import httpx
import pytest

from crawler import FetchError, Politeness, fetch

ALLOWED = {"www.ndrc.gov.cn"}


def client_for(handler):
    return httpx.Client(transport=httpx.MockTransport(handler))


class Recorder:
    def __init__(self, responses):
        self.responses = list(responses)
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        return item


def no_sleep_politeness(**kw):
    sleeps = []
    return Politeness(delay=kw.pop("delay", 0), obey_robots=kw.pop("obey_robots", False), sleep=sleeps.append, **kw), sleeps


def test_ok_keeps_raw_bytes_and_headers():
    body = "通知".encode("gbk")
    rec = Recorder([httpx.Response(200, content=body, headers={"Content-Type": "text/html; charset=gbk", "ETag": '"x"'})])
    f = fetch(client_for(rec), "https://www.ndrc.gov.cn/a.html", allowed_hosts=ALLOWED)
    assert f.content == body and f.headers["etag"] == '"x"' and f.content_type == "text/html; charset=gbk"


def test_offsite_url_is_refused_without_a_request():
    rec = Recorder([httpx.Response(200)])
    with pytest.raises(FetchError) as err:
        fetch(client_for(rec), "https://evil.example/x", allowed_hosts=ALLOWED)
    assert err.value.kind == "offsite" and not rec.requests


def test_redirect_to_another_host_is_refused():
    rec = Recorder([httpx.Response(302, headers={"Location": "https://evil.example/landing"})])
    with pytest.raises(FetchError) as err:
        fetch(client_for(rec), "https://www.ndrc.gov.cn/a.html", allowed_hosts=ALLOWED)
    assert err.value.kind == "offsite" and len(rec.requests) == 1


def test_redirect_within_host_is_followed():
    def handler(request):
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(200, text="ok")

    f = fetch(client_for(handler), "https://www.ndrc.gov.cn/old", allowed_hosts=ALLOWED)
    assert f.final_url == "https://www.ndrc.gov.cn/new" and f.content == b"ok"


def test_redirect_loop_is_a_typed_failure():
    def handler(request):
        return httpx.Response(302, headers={"Location": "/loop"})

    with pytest.raises(FetchError) as err:
        fetch(client_for(handler), "https://www.ndrc.gov.cn/loop", allowed_hosts=ALLOWED)
    assert err.value.kind == "redirects"


@pytest.mark.parametrize("status", [403, 412, 521])
def test_anti_bot_answers_are_blocked_and_not_retried(status):
    rec = Recorder([httpx.Response(status)])
    politeness, sleeps = no_sleep_politeness()
    with pytest.raises(FetchError) as err:
        fetch(client_for(rec), "https://www.ndrc.gov.cn/a", allowed_hosts=ALLOWED, politeness=politeness, retries=3)
    assert err.value.kind == "blocked" and err.value.status == status and len(rec.requests) == 1


def test_server_errors_are_retried_with_backoff_then_succeed():
    rec = Recorder([httpx.Response(503), httpx.Response(429), httpx.Response(200, text="ok")])
    politeness, sleeps = no_sleep_politeness()
    f = fetch(client_for(rec), "https://www.ndrc.gov.cn/a", allowed_hosts=ALLOWED, politeness=politeness,
              retries=2, backoff=1.5)
    assert f.status == 200 and len(rec.requests) == 3 and sleeps == [1.5, 3.0]


def test_timeouts_exhaust_retries_as_timeout():
    rec = Recorder([httpx.ReadTimeout("slow")])
    politeness, _ = no_sleep_politeness()
    with pytest.raises(FetchError) as err:
        fetch(client_for(rec), "https://www.ndrc.gov.cn/a", allowed_hosts=ALLOWED, politeness=politeness, retries=1)
    assert err.value.kind == "timeout" and len(rec.requests) == 2


def test_404_is_gone():
    with pytest.raises(FetchError) as err:
        fetch(client_for(Recorder([httpx.Response(404)])), "https://www.ndrc.gov.cn/a", allowed_hosts=ALLOWED)
    assert err.value.kind == "gone"


def test_body_cap_stops_large_and_streamed_bodies():
    big = httpx.Response(200, content=b"x" * 2000)
    with pytest.raises(FetchError) as err:
        fetch(client_for(Recorder([big])), "https://www.ndrc.gov.cn/a", allowed_hosts=ALLOWED, max_bytes=1000)
    assert err.value.kind == "too_large"


def test_gzip_bomb_is_capped_after_decompression():
    import gzip

    bomb = gzip.compress(b"\0" * 5_000_000)
    resp = httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as err:
        fetch(client_for(Recorder([resp])), "https://www.ndrc.gov.cn/a", allowed_hosts=ALLOWED, max_bytes=100_000)
    assert err.value.kind == "too_large"


def test_robots_txt_is_obeyed_and_read_once_per_host():
    seen = []

    def handler(request):
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /private/\n")
        return httpx.Response(200, text="ok")

    politeness, _ = no_sleep_politeness(obey_robots=True, user_agent="PilotWatch")
    client = client_for(handler)
    with pytest.raises(FetchError) as err:
        fetch(client, "https://www.ndrc.gov.cn/private/a", allowed_hosts=ALLOWED, politeness=politeness)
    assert err.value.kind == "robots"
    fetch(client, "https://www.ndrc.gov.cn/public/a", allowed_hosts=ALLOWED, politeness=politeness)
    assert seen == ["/robots.txt", "/public/a"]


def test_politeness_waits_between_requests_to_one_host():
    clock = iter([0.0, 1.0, 2.0]).__next__  # done() after the first request, then wait() 1 s later
    sleeps = []
    politeness = Politeness(delay=5.0, jitter=0.0, obey_robots=False, sleep=sleeps.append, clock=clock)
    client = client_for(lambda r: httpx.Response(200, text="ok"))
    fetch(client, "https://www.ndrc.gov.cn/a", allowed_hosts=ALLOWED, politeness=politeness)
    fetch(client, "https://www.ndrc.gov.cn/b", allowed_hosts=ALLOWED, politeness=politeness)
    assert sleeps == [4.0]  # 5 s delay, 1 s already passed since the previous request ended


def test_real_localhost_server(sample_hosts):
    with httpx.Client() as client:
        base = sample_hosts["www.ndrc.gov.cn"]
        f = fetch(client, base + "/xxgk/zcfb/tz/", allowed_hosts={base.split("//")[1]})
        assert f.status == 200 and b"u-list" in f.content
        with pytest.raises(FetchError) as err:
            fetch(client, base + "/no/such/page.html", allowed_hosts={base.split("//")[1]})
        assert err.value.kind == "gone"


def test_cookie_challenge_page_is_blocked():
    page = b"<html><script>document.cookie='__jsl_clearance=1';location.reload()</script></html>"
    rec = Recorder([httpx.Response(200, content=page, headers={"Content-Type": "text/html"})])
    with pytest.raises(FetchError) as err:
        fetch(client_for(rec), "https://www.ndrc.gov.cn/a", allowed_hosts=ALLOWED, retries=3)
    assert err.value.kind == "blocked" and "cookie-challenge" in str(err.value) and len(rec.requests) == 1


@pytest.mark.parametrize("page", [
    b"<html><head><title>Just a moment...</title><script src='/cdn-cgi/challenge-platform/h/g/orchestrate'></script>"
    b"</head></html>",
    b"<html><script>initCaptcha()</script><div id='captcha-container'></div></html>",
    "<html><head><meta charset='gbk'><script>verify()</script></head><body><div>访问过于频繁，请稍后再试</div></body></html>"
    .encode("gbk"),
    "<html><script>slide()</script><div class='w'>安全验证</div></html>".encode(),
])
def test_waf_walls_of_2026_are_blocked(page):
    rec = Recorder([httpx.Response(200, content=page, headers={"Content-Type": "text/html"})])
    with pytest.raises(FetchError) as err:
        fetch(client_for(rec), "https://www.miit.gov.cn/a", allowed_hosts={"www.miit.gov.cn"})
    assert err.value.kind == "blocked"


def test_article_mentioning_cookies_is_not_a_challenge():
    page = "<html><script>var a=document.cookie</script><p>正文内容</p></html>".encode()
    f = fetch(client_for(Recorder([httpx.Response(200, content=page, headers={"Content-Type": "text/html"})])),
              "https://www.ndrc.gov.cn/a", allowed_hosts=ALLOWED)
    assert f.status == 200
