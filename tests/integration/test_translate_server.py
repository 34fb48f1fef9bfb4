"""The local translation server answers as LibreTranslate does (shapes and error texts)."""

from __future__ import annotations

import aiohttp

from tests.servers.translate import TranslateServer


async def test_libre_errors_and_batches_look_like_the_real_server(
    translate_server: TranslateServer,
) -> None:
    """Batch in, batch out; missing q, unknown language, bad key, char limit: worded as upstream."""
    url = translate_server.url + "translate"
    translate_server.api_key = "k"
    translate_server.char_limit = 10
    async with aiohttp.ClientSession() as http:
        cases = [
            ({"q": ["Halo", "Dunia"], "source": "id", "target": "es", "api_key": "k"}, 200),
            ({"source": "en", "target": "es", "api_key": "k"}, 400),
            ({"q": "Hello", "source": "en", "target": "zz", "api_key": "k"}, 400),
            ({"q": "Hello", "source": "en", "target": "es", "api_key": "x"}, 403),
            ({"q": "Hello world!", "source": "en", "target": "es", "api_key": "k"}, 400),
        ]
        answers = []
        for body, status in cases:
            async with http.post(url, json=body) as resp:
                assert resp.status == status
                answers.append(await resp.json())
        async with http.post(
            url, data={"q": "Hi", "source": "auto", "target": "ko", "api_key": "k"}
        ) as resp:
            form_answer = await resp.json()
    assert answers == [
        {"translatedText": ["[es] Halo", "[es] Dunia"]},
        {"error": "Invalid request: missing q parameter"},
        {"error": "zz is not supported"},
        {"error": "Invalid API key"},
        {"error": "Invalid request: request (12) exceeds text limit (10)"},
    ]
    assert form_answer == {
        "translatedText": "[ko] Hi",
        "detectedLanguage": {"confidence": 90.0, "language": "en"},
    }
