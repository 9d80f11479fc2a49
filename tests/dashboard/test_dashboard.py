"""The dashboard in a real headless Chromium against a real `tenlog serve` with data."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from typing import Any

from playwright.sync_api import Page, expect

from tests.support.server import ServerProcess

from .conftest import Shots
from .seed import call, chat


def row_ids(page: Page) -> list[str]:
    """Ids of the completion rows shown, top to bottom."""
    return page.eval_on_selector_all("#completions tbody tr", "rows => rows.map(r => r.dataset.id)")


def apply_bar(page: Page, text: str) -> None:
    """Type into the filter/search bar and apply it."""
    page.fill("#filter-bar", text)
    page.press("#filter-bar", "Enter")
    # The table is marked busy from the moment the view changes until that view's answer is shown.
    expect(page.locator("#loading")).to_have_count(0)


def test_wrong_key_is_refused_with_a_clear_message(page: Page, dashboard_server: ServerProcess, shots: Shots) -> None:
    page.goto("/")
    page.fill("#api-key", "tlk_not-a-real-key")
    page.click("button[type=submit]")
    expect(page.locator("#signin-error")).to_contain_text("This API key was refused")
    shots("wrong-key")
    assert page.evaluate("sessionStorage.getItem('tenlog.apiKey')") is None
    # A real key used for another organization is told apart from a bad key.
    page.fill("#api-key", dashboard_server.key)
    page.fill("#organization", "someone-else")
    page.click("button[type=submit]")
    expect(page.locator("#signin-error")).to_contain_text("may not read that organization")
    shots("wrong-organization")


def test_sign_in_keeps_the_key_out_of_urls_and_sign_out_clears_it(
    signed_in: Page, dashboard_server: ServerProcess, data: dict[str, Any], shots: Shots
) -> None:
    page = signed_in
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    shots("signed-in")
    assert page.evaluate("sessionStorage.getItem('tenlog.apiKey')") == dashboard_server.key
    page.click(f"#completions tr[data-id='{data['ids']['tool']}'] a")
    expect(page.locator("#transcript")).to_be_visible()
    assert urls and not [url for url in urls if dashboard_server.key in url]
    page.click("#sign-out")
    expect(page.locator("#api-key")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    shots("signed-out")


def test_every_request_stays_on_the_server(signed_in: Page, dashboard_server: ServerProcess) -> None:
    """Works offline: every script, style and call goes to tenlog itself."""
    page = signed_in
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto("/#/analytics")
    expect(page.locator("#chart-volume canvas")).to_be_visible()
    page.reload()
    expect(page.locator("#chart-volume canvas")).to_be_visible()
    origins = {urllib.parse.urlsplit(url)[:2] for url in urls if not url.startswith("data:")}
    assert origins == {("http", f"127.0.0.1:{dashboard_server.http_port}")}


def test_filter_by_tag_and_by_metadata_key(signed_in: Page, data: dict[str, Any], shots: Shots) -> None:
    page = signed_in
    ids = data["ids"]
    apply_bar(page, f'tags:"{data["tag"]}"')
    expect(page.locator("#completions tbody tr")).to_have_count(3)
    assert set(row_ids(page)) == {ids["tool"], ids["refund"], ids["failed"]}
    # The filter is in the URL: a reload (or a shared link) shows the same view.
    assert "q=tags" in page.url
    page.reload()
    expect(page.locator("#completions tbody tr")).to_have_count(3)
    shots("tag")
    page.click("button[data-status=failed]")
    expect(page.locator("#completions tbody tr")).to_have_count(1)
    assert row_ids(page) == [ids["failed"]]
    expect(page.locator("#filter-bar")).to_have_value(f'status = failed AND tags:"{data["tag"]}"')
    shots("status-chip")
    apply_bar(page, f'tags:"{data["tag"]}" AND metadata.customer = "acme"')
    expect(page.locator("#completions tbody tr")).to_have_count(1)
    assert row_ids(page) == [ids["tool"]]
    shots("metadata")


def test_a_bad_filter_names_what_is_wrong(signed_in: Page, shots: Shots) -> None:
    apply_bar(signed_in, "cost > cheap")
    expect(signed_in.locator(".error")).to_contain_text("filter")
    shots("bad-filter")


def test_search_a_word(signed_in: Page, data: dict[str, Any], shots: Shots) -> None:
    page = signed_in
    apply_bar(page, "zanzibar")
    expect(page.locator("#completions tbody tr")).to_have_count(1)
    assert row_ids(page) == [data["ids"]["refund"]]
    expect(page.locator("#effective-search")).to_have_text("zanzibar")
    shots("search")
    # Words and filter clauses share the bar.
    apply_bar(page, f'tags:"{data["tag"]}" parcel')
    expect(page.locator("#completions tbody tr")).to_have_count(1)
    assert row_ids(page) == [data["ids"]["tool"]]
    shots("search-and-filter")


def test_sort_by_cost(signed_in: Page, data: dict[str, Any]) -> None:
    page = signed_in
    apply_bar(page, f'tags:"{data["tag"]}"')
    expect(page.locator("#completions tbody tr")).to_have_count(3)
    page.click("button[data-sort=cost]")
    expect(page).to_have_url(re.compile(r"order=cost"))
    expect(page.locator("#completions tbody tr").first).to_have_attribute("data-id", data["ids"]["tool"])


def test_completion_page_shows_messages_tool_call_and_image(
    signed_in: Page, dashboard_server: ServerProcess, data: dict[str, Any], shots: Shots
) -> None:
    page = signed_in
    page.goto(f"/#/completions/{data['ids']['tool']}")
    transcript = page.locator("#transcript")
    expect(transcript.locator("[data-role=system]")).to_contain_text("You are the order desk.")
    expect(transcript.locator("[data-role=user]")).to_contain_text("Where is my parcel 7731?")
    call_box = transcript.locator(".tool-call[data-tool=lookup_order]")
    expect(call_box).to_contain_text('"order_id": "7731"')
    expect(transcript.locator("[data-role=tool]")).to_contain_text("shipped")
    expect(transcript.locator(".from-response")).to_contain_text("It has shipped.")
    expect(page.locator("#completion")).to_contain_text("customer")
    shots("transcript")
    page.click("text=Copy as curl")
    expect(page.locator("pre.curl")).to_contain_text("chat/completions")
    expect(page.locator("pre.curl")).not_to_contain_text(dashboard_server.key)
    page.click("#show-raw")
    raw = json.loads(page.locator("#raw-json").inner_text())
    assert raw["id"] == data["ids"]["tool"]
    shots("raw")
    page.goto(f"/#/completions/{data['ids']['image']}")
    image = page.locator("#transcript img.inline-image")
    expect(image).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 2
    page.goto(f"/#/completions/{data['ids']['failed']}")
    expect(page.locator("#failure")).to_contain_text("429 from upstream")
    shots("failed")


def test_session_timeline(signed_in: Page, data: dict[str, Any], shots: Shots) -> None:
    page = signed_in
    page.goto(f"/#/sessions/{data['session']}")
    items = page.locator("#timeline .timeline-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Where is my parcel")
    expect(items.nth(1)).to_contain_text("zanzibar refund")
    shots("timeline")


def test_grade_through_the_generated_form(
    signed_in: Page, dashboard_server: ServerProcess, data: dict[str, Any], shots: Shots
) -> None:
    page = signed_in
    page.goto(f"/#/inbox?task={data['task_id']}")
    expect(page.locator("#left-count")).to_have_text("3 left")
    first = page.locator("#inbox-completion").get_attribute("data-id")
    assert first in {data["ids"][f"grade{i}"] for i in range(3)}
    shots("inbox")
    # Browser-side check: out of bounds, at its field; nothing is sent.
    page.fill("#grade_rating", "9")
    page.check("input[name=grade_verdict] >> nth=0")
    page.click("#submit-grade")
    expect(page.locator("[data-path='.rating'] .field-error")).to_have_text("must be at most 5")
    shots("browser-error")
    # Server-side check: multipleOf is left to the server, and its violation lands at its field.
    page.fill("#grade_rating", "4")
    page.fill("#grade_confidence", "0.3")
    page.click("#submit-grade")
    expect(page.locator("[data-path='.confidence'] .field-error")).to_contain_text("multiple of 0.25")
    assert (
        call(dashboard_server.http_url, dashboard_server.key, "GET", f"/api/v1/feedback?completion_id={first}")[
            "feedback"
        ]
        == []
    ), "an invalid grade stored nothing"
    shots("server-error")
    # A valid grade, submitted with the keyboard, leaves the inbox.
    page.fill("#grade_confidence", "0.75")
    page.fill("#grade_details_category", "geography")
    page.check("#grade_harmful")
    page.fill("#grade-comment", "fine")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#notice")).to_have_text(f"Graded {first}.")
    expect(page.locator("#left-count")).to_have_text("2 left")
    expect(page.locator("#inbox-completion")).not_to_have_attribute("data-id", first or "")
    shots("graded")
    stored = call(dashboard_server.http_url, dashboard_server.key, "GET", f"/api/v1/feedback?completion_id={first}")
    values = stored["feedback"][0]["json_values"]
    assert values == {
        "rating": 4,
        "verdict": "correct",
        "harmful": True,
        "confidence": 0.75,
        "details": {"category": "geography"},
    }, "untouched optional fields are left out"
    # Skip shows the next one without grading; a reload brings back only the ungraded ones.
    second = page.locator("#inbox-completion").get_attribute("data-id")
    page.keyboard.press("Alt+KeyN")
    expect(page.locator("#inbox-completion")).not_to_have_attribute("data-id", second or "")
    page.reload()
    expect(page.locator("#left-count")).to_have_text("2 left")
    shown = page.locator("#inbox-completion").get_attribute("data-id")
    assert shown != first
    # The grade is shown on the completion's page, under the task's name.
    page.goto(f"/#/completions/{first}")
    feedback = page.locator("#feedback .feedback")
    expect(feedback).to_have_count(1)
    expect(feedback).to_contain_text(data["task_name"])
    expect(feedback).to_contain_text('"category": "geography"')
    shots("feedback-on-completion")


def test_create_a_task_with_a_live_preview(signed_in: Page, data: dict[str, Any], shots: Shots) -> None:
    page = signed_in
    page.goto("/#/tasks?new=1")
    schema = {
        "type": "object",
        "required": ["tone"],
        "properties": {
            "tone": {"enum": ["kind", "neutral", "rude"]},
            "score": {"type": "number", "minimum": 0, "maximum": 10},
            "steps": {"type": "array", "items": {"type": "object", "properties": {"ok": {"type": "boolean"}}}},
        },
    }
    page.fill("#task-schema", "{ not json")
    expect(page.locator("#schema-problem")).to_be_visible()
    page.fill("#task-schema", json.dumps(schema))
    preview = page.locator("#schema-preview")
    expect(preview.locator("[data-path='.tone'] input[type=radio]")).to_have_count(3)
    expect(preview.locator("[data-path='.score']")).to_contain_text("0 to 10")
    preview.locator("text=Add steps").click()
    expect(preview.locator("[data-path='.steps[0].ok'] input[type=checkbox]")).to_be_visible()
    name = f"Tone {data['tag']}"
    page.fill("#task-name", name)
    page.fill("#task-tags", data["tag"])
    page.press("#task-tags", "Enter")
    shots("preview")
    page.click("#create-task")
    row = page.locator("#tasks tr", has_text=name)
    expect(row).to_contain_text(data["tag"])
    shots("created")


def test_analytics_chart_has_data(signed_in: Page, data: dict[str, Any], shots: Shots) -> None:
    page = signed_in
    bar = urllib.parse.quote(f'tags:"{data["tag"]}"')
    page.goto(f"/#/analytics?range=1h&q={bar}")
    volume = page.locator("#chart-volume")
    expect(volume.locator("canvas")).to_be_visible()
    assert int(volume.get_attribute("data-points") or 0) >= 1
    expect(page.locator("#totals")).to_contain_text("3 completions")
    expect(page.locator("#totals")).to_contain_text("1 failed")
    expect(page.locator("#groups tbody tr")).to_have_count(3)  # gpt-4o, gpt-4o-mini, claude
    assert int(page.locator("#chart-latency").get_attribute("data-points") or 0) >= 1
    # Each group's percentiles arrive after the charts; gpt-4o is the tool call (2.5 s) alone.
    expect(page.locator("#groups")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#groups tbody tr").filter(has=page.locator("td:text-is('gpt-4o')"))).to_contain_text("2.50 s")
    shots("analytics")


def test_paging_and_live_mode(
    signed_in: Page, dashboard_server: ServerProcess, data: dict[str, Any], shots: Shots
) -> None:
    page = signed_in
    tag = data["tag"] + "-many"
    created = call(
        dashboard_server.http_url,
        dashboard_server.key,
        "POST",
        "/api/v1/completions:batchCreate",
        {"completions": [chat(tag, f"row {i}", "ok") for i in range(55)]},
    )
    assert created["accepted_count"] == 55
    apply_bar(page, f'tags:"{tag}"')
    expect(page.locator("#completions tbody tr")).to_have_count(50)
    first_page = row_ids(page)
    page.click("#next")
    expect(page.locator("#completions tbody tr")).to_have_count(5)
    second_page = row_ids(page)
    assert not set(first_page) & set(second_page)
    page.reload()  # the place is in the URL
    expect(page.locator("#completions tbody tr")).to_have_count(5)
    assert row_ids(page) == second_page
    page.click("#previous")
    expect(page.locator("#completions tbody tr")).to_have_count(50)
    assert row_ids(page) == first_page
    # Live: a new matching completion is prepended; one of another tag is not.
    page.check("#live")
    time.sleep(1.2)  # the tail's first answer arrives after its one-second wait for a first event
    call(dashboard_server.http_url, dashboard_server.key, "POST", "/api/v1/completions", chat("elsewhere", "x", "y"))
    new = call(dashboard_server.http_url, dashboard_server.key, "POST", "/api/v1/completions", chat(tag, "late", "y"))
    expect(page.locator("#completions tbody tr").first).to_have_attribute("data-id", new["id"])
    expect(page.locator("#completions tbody tr")).to_have_count(51)
    shots("live")


def test_the_bar_splits_filter_clauses_from_search_words(signed_in: Page) -> None:
    """The bar's parser, run in the browser as the pages run it."""
    cases = {
        'tags:"checkout" refund model = "gpt-4o"': ['tags:"checkout" AND model = "gpt-4o"', "refund"],
        "created_at > 2026-01-01T00:00:00Z AND late AND cost > 1": [
            "created_at > 2026-01-01T00:00:00Z AND cost > 1",
            "late",
        ],
        '(model = a OR model = b) "exact phrase"': ["(model = a OR model = b)", '"exact phrase"'],
        'NOT tags:"x" metadata.customer = "acme"': ['NOT tags:"x" AND metadata.customer = "acme"', ""],
        "status = failed AND": ["status = failed", ""],
        "plain words only": ["", "plain words only"],
        # A quoted path segment belongs to its field, not to the search words.
        'feedback."helpfulness v2".score >= 4 refund': ['feedback."helpfulness v2".score >= 4', "refund"],
        "metadata.'plan name' = pro late": ["metadata.'plan name' = pro", "late"],
    }
    got = signed_in.evaluate(
        """async (cases) => {
            const bar = await import('/ui/filter_bar.js');
            return Object.fromEntries(Object.keys(cases).map((text) => {
                const split = bar.splitBar(text);
                return [text, [split.filter, split.search]];
            }));
        }""",
        cases,
    )
    assert got == cases


def test_keyboard_only_from_a_deep_link(
    page: Page, dashboard_server: ServerProcess, data: dict[str, Any], shots: Shots
) -> None:
    """Signed out, a shared link asks for the key and then shows what it points at; the rest by keys."""
    ids = data["ids"]
    page.goto(f"/#/completions/{ids['refund']}")
    expect(page.locator("#api-key")).to_be_focused()
    page.keyboard.type(dashboard_server.key)
    page.keyboard.press("Enter")
    expect(page.locator("#completion h2")).to_contain_text(ids["refund"])
    expect(page.locator("#transcript [data-role=user]")).to_contain_text("zanzibar refund")
    shots("deep-link")
    page.goto("/#/completions")
    expect(page.locator("#completions tbody tr").first).to_be_visible()
    page.keyboard.press("/")
    expect(page.locator("#filter-bar")).to_be_focused()
    page.keyboard.type(f'tags:"{data["tag"]}"')
    page.keyboard.press("Enter")
    expect(page.locator("#loading")).to_have_count(0)
    expect(page.locator("#completions tbody tr")).to_have_count(3)
    page.keyboard.press("Tab")  # out of the bar: letters are shortcuts again
    page.keyboard.press("j")
    page.keyboard.press("j")
    rows = row_ids(page)
    expect(page.locator(f"#completions tr[data-id='{rows[1]}']")).to_be_focused()
    shots("row-focused")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"#/completions/{rows[1]}$"))
    expect(page.locator("#transcript")).to_be_visible()
    # The inbox is graded without the mouse: Tab into the form, arrows through the choices.
    page.goto(f"/#/inbox?task={data['task_id']}")
    expect(page.locator("#grade_rating")).to_be_visible()
    page.focus("#grade_rating")
    page.keyboard.type("3")
    page.keyboard.press("Tab")  # the verdict's radio group
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=grade_verdict] >> nth=1")).to_be_checked()
    shots("inbox-by-keyboard")


def test_another_organizations_data_is_never_shown(
    page: Page, dashboard_server: ServerProcess, data: dict[str, Any], shots: Shots
) -> None:
    other_key = dashboard_server.mint_key("org-dash-other")
    page.goto("/")
    page.fill("#api-key", other_key)
    page.click("button[type=submit]")
    expect(page.locator("#empty")).to_have_text("No completions match.")
    assert row_ids(page) == []
    # A link to org-a's completion is answered like a missing one, and the page says so.
    page.goto(f"/#/completions/{data['ids']['tool']}")
    expect(page.locator(".error")).to_contain_text("404")
    expect(page.locator(".error")).to_contain_text(data["ids"]["tool"])
    page.goto(f"/#/inbox?task={data['task_id']}")
    expect(page.locator(".error")).to_contain_text("404")
    shots("other-org")
