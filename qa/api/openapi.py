"""OpenAPI 3.0 document of /api/v1, served at /api/v1/openapi.json and tested against the API."""

from __future__ import annotations

from typing import Any

_nullable_str = {"type": "string", "nullable": True}
_nullable_num = {"type": "number", "nullable": True}

ERROR = {
    "type": "object",
    "required": ["error", "reason"],
    "properties": {"error": {"type": "string"}, "reason": {"type": "string"}},
}

AUTO_SCORE = {
    "type": "object",
    "required": ["criterion", "value", "model_version", "evidence"],
    "properties": {
        "criterion": {"type": "string"},
        "value": {"type": "number", "minimum": 0, "maximum": 100},
        "label": _nullable_str,
        "model_version": {"type": "string"},
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "turn": {"type": "integer"},
                    "speaker": {"type": "string"},
                    "text": {"type": "string"},
                    "weight": {"type": "number"},
                },
            },
        },
    },
}

SEGMENT = {
    "type": "object",
    "required": ["speaker", "text"],
    "properties": {
        "start": _nullable_num,
        "end": _nullable_num,
        "speaker": {"type": "string", "enum": ["agent", "customer", "unknown"]},
        "text": {"type": "string"},
    },
}

INTERACTION: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "external_id",
        "channel",
        "agent",
        "team",
        "started_at",
        "status",
        "auto_scores",
    ],
    "properties": {
        "id": {"type": "integer"},
        "source": {"type": "string"},
        "external_id": {"type": "string"},
        "channel": {"type": "string", "enum": ["call", "chat", "email", "social"]},
        "agent": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "name": {"type": "string"},
            },
        },
        "team": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "queue": _nullable_str,
        "subject": _nullable_str,
        "started_at": {"type": "string", "format": "date-time"},
        "duration_seconds": _nullable_num,
        "wait_seconds": _nullable_num,
        "first_response_seconds": _nullable_num,
        "csat": {"type": "integer", "nullable": True},
        "escalated": {"type": "boolean"},
        "status": {
            "type": "string",
            "enum": ["pending", "transcribing", "transcribed", "scored", "failed"],
        },
        "failure_reason": _nullable_str,
        "transcription_progress": {
            **_nullable_num,
            "description": "share of the recording transcribed (0-1) while transcribing",
        },
        "auto_scores": {"type": "array", "items": {"$ref": "#/components/schemas/AutoScore"}},
        "language": {**_nullable_str, "description": "ISO 639-1 code; null = unknown"},
        "language_source": {**_nullable_str, "description": "whisper, import or detected"},
        "autoqa_status": {"type": "string", "enum": ["pending", "scored", "not_scored"]},
        "autoqa_note": {
            **_nullable_str,
            "description": '"not scored: language fr" or "language unknown"',
        },
        "transcript": {
            "type": "object",
            "nullable": True,
            "properties": {
                "language": _nullable_str,
                "duration": _nullable_num,
                "model": _nullable_str,
                "redactions": {"type": "object", "additionalProperties": {"type": "integer"}},
                "segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}},
            },
        },
    },
}

TURN = {
    "type": "object",
    "required": ["speaker", "text"],
    "properties": {
        "speaker": {"type": "string", "enum": ["agent", "customer"]},
        "text": {"type": "string"},
    },
}

NEW_INTERACTION = {
    "type": "object",
    "required": ["external_id", "channel", "agent_email", "started_at", "turns"],
    "properties": {
        "external_id": {"type": "string", "maxLength": 120},
        "channel": {"type": "string", "enum": ["chat", "email", "social"]},
        "agent_email": {"type": "string"},
        "started_at": {"type": "string", "format": "date-time"},
        "source": {"type": "string"},
        "team": {"type": "string"},
        "queue": {"type": "string"},
        "subject": {"type": "string"},
        "duration_seconds": {"type": "number", "minimum": 0},
        "wait_seconds": {"type": "number", "minimum": 0},
        "first_response_seconds": {"type": "number", "minimum": 0},
        "csat": {"type": "integer", "minimum": 1, "maximum": 5},
        "escalated": {"type": "boolean"},
        "resolved_first_contact": {"type": "boolean"},
        "language": {"type": "string", "description": "ISO 639-1 code, e.g. en or fr"},
        "turns": {"type": "array", "items": {"$ref": "#/components/schemas/Turn"}, "minItems": 1},
    },
}

REVIEW = {
    "type": "object",
    "required": ["id", "interaction_id", "status", "answers"],
    "properties": {
        "id": {"type": "integer"},
        "interaction_id": {"type": "integer"},
        "reviewer": {"type": "object"},
        "scorecard": {"type": "object"},
        "status": {"type": "string", "enum": ["draft", "submitted"]},
        "score": {**_nullable_num, "description": "one decimal, half up, as the pages show it"},
        "score_exact": {**_nullable_num, "description": "the stored score (two decimals)"},
        "comment": _nullable_str,
        "comment_segment": {"type": "integer", "nullable": True},
        "submitted_at": {"type": "string", "nullable": True},
        "acknowledged_at": {"type": "string", "nullable": True},
        "answers": {"type": "array", "items": {"type": "object"}},
        "disputes": {"type": "array", "items": {"type": "object"}},
    },
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(ref: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


AUTH_ERRORS = {"401": _error("missing or invalid token")}
ID = [
    {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
    }
]
BAD_FILTER = {
    "400": {
        "description": "bad filter",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
}

# Endpoint groups: every operation names one (tests/qa/test_api.py checks each is declared).
ACCOUNT, INTERACTIONS, RECORDINGS, REVIEWS = "Account", "Interactions", "Recordings", "Reviews"
TAGS = [
    {"name": ACCOUNT, "description": "Who the API token belongs to"},
    {
        "name": INTERACTIONS,
        "description": "Conversations (calls, chats, emails) with their transcript and AutoQA "
        "scores: list, read, and ingest from a helpdesk or telephony system",
    },
    {"name": RECORDINGS, "description": "Call recordings uploaded for transcription and scoring"},
    {"name": REVIEWS, "description": "Reviewers' scorecard reviews of interactions"},
]

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Coachline API", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "security": [{"token": []}],
    "tags": TAGS,
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": ERROR,
            "AutoScore": AUTO_SCORE,
            "Segment": SEGMENT,
            "Interaction": INTERACTION,
            "Turn": TURN,
            "NewInteraction": NEW_INTERACTION,
            "Review": REVIEW,
        },
    },
    "paths": {
        "/me": {
            "get": {
                "tags": [ACCOUNT],
                "summary": "The token's user",
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id", "email", "role"],
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "email": {"type": "string"},
                                        "name": {"type": "string"},
                                        "role": {
                                            "type": "string",
                                            "enum": ["admin", "lead", "reviewer", "agent"],
                                        },
                                    },
                                }
                            }
                        },
                    },
                    **AUTH_ERRORS,
                },
            }
        },
        "/interactions": {
            "get": {
                "tags": [INTERACTIONS],
                "summary": "Interactions the token's user may see",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": INTERACTION["properties"]["status"],
                    },
                    {
                        "name": "channel",
                        "in": "query",
                        "schema": INTERACTION["properties"]["channel"],
                    },
                    {"name": "external_id", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100000},
                    },
                    {
                        "name": "per_page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["items", "total", "page", "per_page"],
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Interaction"},
                                        },
                                        "total": {"type": "integer"},
                                        "page": {"type": "integer"},
                                        "per_page": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _error("bad filter"),
                    **AUTH_ERRORS,
                },
            },
            "post": {
                "tags": [INTERACTIONS],
                "summary": "Ingest one interaction or a batch; idempotent by (source, external_id)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/NewInteraction"},
                                    {
                                        "type": "object",
                                        "required": ["interactions"],
                                        "properties": {
                                            "interactions": {
                                                "type": "array",
                                                "maxItems": 1000,
                                                "items": {
                                                    "$ref": "#/components/schemas/NewInteraction"
                                                },
                                            }
                                        },
                                    },
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    **{
                        code: {
                            "description": description,
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["created", "duplicates", "errors"],
                                        "properties": {
                                            "created": {
                                                "type": "array",
                                                "items": {"type": "integer"},
                                            },
                                            "duplicates": {"type": "integer"},
                                            "errors": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "index": {"type": "integer"},
                                                        "reason": {"type": "string"},
                                                    },
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        }
                        for code, description in (
                            ("201", "some created"),
                            ("200", "all already present"),
                            ("422", "every item invalid"),
                        )
                    },
                    "400": _error("not JSON"),
                    "403": _error("role may not ingest"),
                    "413": _error("batch too large"),
                    **AUTH_ERRORS,
                },
            },
        },
        "/interactions/{id}": {
            "get": {
                "tags": [INTERACTIONS],
                "summary": "One interaction with transcript and AutoQA",
                "parameters": ID,
                "responses": {
                    "200": _json("#/components/schemas/Interaction"),
                    "404": _error("not found or not yours"),
                    **AUTH_ERRORS,
                },
            }
        },
        "/recordings": {
            "post": {
                "tags": [RECORDINGS],
                "summary": "Upload a call recording with its metadata",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file", "external_id", "agent_email", "started_at"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "external_id": {"type": "string"},
                                    "agent_email": {"type": "string"},
                                    "started_at": {"type": "string", "format": "date-time"},
                                    "agent_channel": {"type": "string", "enum": ["left", "right"]},
                                    "queue": {"type": "string"},
                                    "language": {
                                        "type": "string",
                                        "description": "ISO 639-1 code; not en picks the "
                                        "multilingual Whisper model",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json(
                        "#/components/schemas/Interaction", "stored (and transcribed, or queued)"
                    ),
                    "400": _error("no file"),
                    "403": _error("role or team not allowed"),
                    "409": _error("external id exists"),
                    "413": _error("too large"),
                    "422": _error("not audio or invalid metadata"),
                    **AUTH_ERRORS,
                },
            }
        },
        "/reviews": {
            "get": {
                "tags": [REVIEWS],
                "summary": "Reviews the token's user may see",
                "parameters": [
                    {
                        "name": "interaction_id",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                    }
                ],
                "responses": {
                    **BAD_FILTER,
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["items"],
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Review"},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    **AUTH_ERRORS,
                },
            }
        },
        "/reviews/{id}": {
            "get": {
                "tags": [REVIEWS],
                "summary": "One review",
                "parameters": ID,
                "responses": {
                    "200": _json("#/components/schemas/Review"),
                    "404": _error("not found or not yours"),
                    **AUTH_ERRORS,
                },
            }
        },
    },
}
