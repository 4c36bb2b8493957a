"""The dev recorder keeps the last webhooks in memory and lists them newest first over HTTP."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from building_blocks.webhooks import (
    RecordingWebhookSender,
    SendResult,
    WebhookRecorderController,
    webhook_recorder_dependencies,
)

pytestmark = pytest.mark.unit


async def test_every_webhook_is_answered_200_and_kept_newest_first() -> None:
    recorder = RecordingWebhookSender()
    assert await recorder.send("CARD_FAILED", b'{"cardId":"1"}', "r1") == SendResult(200)
    await recorder.send("SAVE_TRANSACTION", b"not json", "r2")

    newest, oldest = recorder.received()
    assert (newest.webhook_type, newest.request_id, newest.body) == (
        "SAVE_TRANSACTION",
        "r2",
        "not json",
    )
    assert oldest.body == {"cardId": "1"}
    assert recorder.received("CARD_FAILED") == [oldest]
    recorder.clear()
    assert recorder.received() == []


async def test_only_the_last_webhooks_are_kept() -> None:
    recorder = RecordingWebhookSender(capacity=3)
    for n in range(5):
        await recorder.send("SAVE_TRANSACTION", f'{{"n":{n}}}'.encode(), str(n))
    assert [webhook.body["n"] for webhook in recorder.received()] == [4, 3, 2]


async def test_the_controller_lists_recorded_webhooks_filtered_by_type() -> None:
    recorder = RecordingWebhookSender()
    await recorder.send("CARD_FAILED", b'{"cardId":"1"}', "r1")
    await recorder.send("SAVE_TRANSACTION", b'{"id":"t1"}', "r2")
    await recorder.send("SAVE_TRANSACTION", b'{"id":"t2"}', "r3")
    app = Litestar(
        [WebhookRecorderController], dependencies=webhook_recorder_dependencies(recorder)
    )
    async with AsyncTestClient(app) as client:
        everything = (await client.get("/dev/webhooks")).json()
        saved = (await client.get("/dev/webhooks", params={"type": "SAVE_TRANSACTION"})).json()
        one = (await client.get("/dev/webhooks", params={"limit": 1})).json()
        bad = await client.get("/dev/webhooks", params={"limit": 0})

    assert [w["requestId"] for w in everything] == ["r3", "r2", "r1"]
    assert set(everything[0]) == {"webhookType", "requestId", "receivedAt", "body"}
    assert [w["body"]["id"] for w in saved] == ["t2", "t1"]
    assert [w["requestId"] for w in one] == ["r3"]
    assert bad.status_code == 400
