"""The demo's French team: a few French chats and emails and one French call (espeak-ng's
French voice, transcribed for real by the multilingual Whisper base model during the load),
its lead (who reads Coachline in French), its own scorecard and a training module, both
written in French, two reviews with that scorecard and the module assigned to an agent.

They are scored by the French AutoQA model shipped beside the English one
(scoring/language_models/fr, over the multilingual Universal Sentence Encoder); a language
without a model would show "not scored: language xx", never a meaningless score.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from ..coaching import services as coaching
from ..extensions import db
from ..models import Interaction, Notification, Role, Scorecard, Team, User, utcnow
from ..services import reviews as review_service
from ..services import scorecards as assigning
from ..services.ingest import IngestSettings, ingest_recording, ingest_rows
from ..services.users import create_user

TEAM = "Service Client France"
LANGUAGE = "fr"
AGENTS = ("Camille Bernard", "Julien Moreau")
LEAD = "Sophie Martin"
SCORECARD_NAME = "Qualité service client"
SCORECARD: list[dict[str, Any]] = [
    {
        "section": "Accueil",
        "name": "Accueil et vouvoiement",
        "scale_min": 0,
        "scale_max": 1,
        "weight": 1,
        "description": "Salue le client, se présente et le vouvoie tout au long de l'échange.",
    },
    {
        "section": "Savoir-être",
        "name": "Empathie",
        "scale_min": 1,
        "scale_max": 5,
        "weight": 2,
        "autoqa_key": "empathy",
        "description": "Reconnaît la situation ou le ressenti du client, de façon personnelle "
        "et chaleureuse (« je comprends tout à fait votre agacement »).",
    },
    {
        "section": "Résultat",
        "name": "Résolution",
        "scale_min": 0,
        "scale_max": 1,
        "weight": 2,
        "autoqa_key": "resolution",
        "description": "Le problème est réglé pendant l'échange, ou la suite est claire et datée.",
    },
    {
        "section": "Résultat",
        "name": "Clôture et prochaines étapes",
        "scale_min": 1,
        "scale_max": 3,
        "weight": 1,
        "description": "Résume ce qui a été fait, ce qui va se passer et quand, et propose son aide.",
    },
]
MODULE_TITLE = "Rassurer un client mécontent"
MODULE_CONTENT = """# Rassurer un client mécontent

Un client agacé veut d'abord être entendu. Avant toute procédure :

1. **Reformulez** ce qu'il vit : « Je comprends tout à fait, dix jours sans colis, c'est long. »
2. **Excusez-vous** pour la gêne, sans rejeter la faute sur un autre service.
3. **Dites ce que vous faites**, puis ce qui va se passer et quand.

Gardez le vouvoiement, même si le client écrit « slt » ou « bjr ».
"""
MODULE_QUIZ = """
Q: Un client écrit « c'est la 3e fois que j'appelle !! ». Que répondez-vous d'abord ?
- Votre numéro de client, s'il vous plaît ?
* Je comprends votre agacement, je m'en occupe tout de suite.
- Ce n'est pas notre service qui gère ce problème.
"""
# (external id, empathy 1-5, resolved, comment): the lead's reviews of two French chats
REVIEWS = (
    ("FR-001", 5, True, "Très bonne reformulation, et une date de livraison précise."),
    ("FR-005", 3, True, "Solution trouvée ; pensez à reconnaître la gêne dès le premier message."),
)
CALLS = Path(__file__).resolve().parent / "calls_fr"

# (channel, queue, subject, whether the row names its language, turns)
CONVERSATIONS: list[tuple[str, str, str, bool, list[tuple[str, str]]]] = [
    (
        "chat",
        "livraison",
        "Colis non reçu",
        False,
        [
            ("customer", "bjr, jai tjrs pas reçu mon colis commandé il y a 10 jours, c normal ?"),
            (
                "agent",
                "Bonjour, je suis désolée pour ce retard et je comprends tout à fait votre "
                "agacement. Pourriez-vous me donner votre numéro de commande, s'il vous plaît ?",
            ),
            ("customer", "oui c la 48213, merci"),
            (
                "agent",
                "Je vous remercie. Le colis est bloqué au dépôt de Lyon : je viens de relancer "
                "le transporteur et il vous sera livré jeudi. Je vous envoie le suivi par e-mail.",
            ),
            ("customer", "ok top merci bcp, bonne journée"),
        ],
    ),
    (
        "chat",
        "facturation",
        "Double prélèvement",
        False,
        [
            (
                "customer",
                "Bonjour, j'ai été prélevé deux fois ce mois-ci pour mon abonnement, "
                "pouvez-vous vérifier svp ?",
            ),
            (
                "agent",
                "Bonjour, merci de nous avoir signalé ce problème. Je vérifie votre compte "
                "tout de suite.",
            ),
            (
                "agent",
                "Vous avez raison, le second prélèvement est une erreur de notre part. Je viens "
                "de lancer le remboursement : vous le verrez sous trois à cinq jours ouvrés.",
            ),
            ("customer", "Parfait, merci pour votre réactivité."),
        ],
    ),
    (
        "email",
        "compte",
        "Impossible de me connecter",
        True,
        [
            (
                "customer",
                "Madame, Monsieur, depuis hier je n'arrive plus à me connecter à mon espace "
                "client : le site m'indique que mon mot de passe est incorrect alors que je ne "
                "l'ai pas changé. Pouvez-vous m'aider ? Cordialement, Mme Lefèvre",
            ),
            (
                "agent",
                "Bonjour Madame Lefèvre, je vous remercie de votre message et de votre patience. "
                "Par sécurité, votre compte a été verrouillé après plusieurs tentatives. Je "
                "viens de le débloquer et de vous envoyer un lien de réinitialisation. "
                "N'hésitez pas à revenir vers nous si besoin. Bien cordialement, Julien",
            ),
        ],
    ),
    (
        "email",
        "facturation",
        "Demande de résiliation",
        True,
        [
            (
                "customer",
                "Bonjour, je souhaite résilier mon abonnement à la fin du mois. Merci de me "
                "confirmer la date exacte de fin et le montant de la dernière facture.",
            ),
            (
                "agent",
                "Bonjour, nous avons bien reçu votre demande. Votre abonnement prendra fin le "
                "31 du mois ; la dernière facture sera de 12,90 €. Un e-mail de confirmation "
                "vous a été envoyé. Nous restons à votre disposition.",
            ),
        ],
    ),
    (
        "chat",
        "technique",
        "Application qui plante",
        False,
        [
            ("customer", "slt, l'appli plante dès que j'ouvre mes factures, vs avez une idée ?"),
            (
                "agent",
                "Bonjour, je suis navrée pour ce désagrément. Pourriez-vous me dire quelle "
                "version de l'application vous utilisez ?",
            ),
            ("customer", "la 3.2 je crois"),
            (
                "agent",
                "Merci. Ce problème est corrigé dans la version 3.3 : une fois la mise à jour "
                "faite depuis le store, tout devrait rentrer dans l'ordre. Je reste en ligne "
                "si vous souhaitez vérifier avec moi.",
            ),
            ("customer", "c bon ça marche, merci !"),
        ],
    ),
]


def load_french(
    settings: IngestSettings,
    *,
    password: str,
    domain: str,
    calls: bool = True,
    echo: Callable[[str], object] = print,
) -> list[int]:
    """Create the French team, its agents and interactions; the ids of the interactions."""
    team = Team(name=TEAM, language=LANGUAGE)
    db.session.add(team)
    agents = [
        create_user(email(name, domain), name, password, Role.AGENT, team=team) for name in AGENTS
    ]
    lead = create_user(email(LEAD, domain), LEAD, password, Role.LEAD, leads=[team])
    lead.locale = LANGUAGE
    db.session.commit()
    rows = _rows(agents)
    echo(f"creating {len(rows)} French chats and emails (team {TEAM})")
    report = ingest_rows(
        enumerate(rows), settings=settings, actor=None, default_source="demo", process="inline"
    )
    if not report.ok or len(report.created) != len(rows):
        raise RuntimeError(f"French demo interactions refused: {report.errors[:3]}")
    created = list(report.created)
    _scorecard_and_training(team, lead, agents)
    if calls:
        created += _calls(agents[0], settings, echo)
    return created


def _scorecard_and_training(team: Team, lead: User, agents: list[User]) -> None:
    """The team's French scorecard (assigned to it) with the lead's reviews of two chats, and a
    French training module assigned to the agent whose review asks for more empathy."""
    scorecard = Scorecard(name=SCORECARD_NAME, language=LANGUAGE,
                          description="Grille de l'équipe francophone : chat, e-mail et appels.")
    db.session.add(scorecard)
    db.session.flush()
    version = review_service.publish_version(scorecard, [dict(c) for c in SCORECARD], actor=lead)
    assigning.set_assignments(scorecard, [], [team.id], actor=lead)
    for external_id, empathy, resolved, comment in REVIEWS:
        interaction = db.session.query(Interaction).filter_by(external_id=external_id).one()
        review = review_service.start_review(interaction, lead, version)
        values = {"Empathie": empathy, "Résolution": int(resolved), "Clôture et prochaines étapes": 3}
        answers = {
            c.id: review_service.AnswerInput(value=values.get(c.name, 1)) for c in version.criteria
        }
        review_service.save_answers(review, answers, comment, submit=True, actor=lead)
        review.submitted_at = interaction.started_at + timedelta(days=1)
        # the agent's notification of the back-dated review carries its date, as in qa.demo
        db.session.flush()
        db.session.execute(
            update(Notification)
            .where(Notification.link == f"/reviews/{review.id}")
            .values(created_at=review.submitted_at)
        )
    module = coaching.save_module(
        None, lead, title=MODULE_TITLE, content=MODULE_CONTENT, criterion_key="Empathie",
        quiz=MODULE_QUIZ, pass_mark=100, language=LANGUAGE,
    )  # fmt: skip
    coaching.assign(module, [agents[0]], lead, due_date=utcnow().date() + timedelta(days=7),
                    note="Pour aller plus loin sur la reformulation.")  # fmt: skip
    db.session.commit()


def _rows(agents: list[User]) -> list[dict[str, Any]]:
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    rows = []
    for n, (channel, queue, subject, named, turns) in enumerate(CONVERSATIONS):
        row: dict[str, Any] = {
            "external_id": f"FR-{n + 1:03d}",
            "channel": channel,
            "agent_email": agents[n % len(agents)].email,
            "team": TEAM,
            "queue": queue,
            "subject": subject,
            "started_at": now - timedelta(days=1 + 2 * n, hours=n),
            "turns": [{"speaker": s, "text": t} for s, t in turns],
        }
        if named:  # the others' language is detected from their text
            row["language"] = LANGUAGE
        rows.append(row)
    return rows


def _calls(agent: User, settings: IngestSettings, echo: Callable[[str], object]) -> list[int]:
    """The French call recordings, transcribed by Whisper base (the team's language is French)."""
    ids = []
    for n, sidecar in enumerate(sorted(CALLS.glob("*.json"))):
        meta = json.loads(sidecar.read_text())
        audio = CALLS / f"{sidecar.stem}.flac"
        echo(f"transcribing French demo call {audio.name} with Whisper base")
        with audio.open("rb") as handle:
            interaction = ingest_recording(
                {
                    "external_id": f"FR-CA-{n + 1:03d}",
                    "agent_email": agent.email,
                    "team": TEAM,
                    "queue": meta.get("queue", "téléphone"),
                    "subject": meta.get("subject"),
                    "started_at": utcnow().replace(microsecond=0) - timedelta(days=2, hours=n),
                },
                handle,
                audio.name,
                settings=settings,
                actor=None,
                source="demo",
                agent_channel=meta.get("agent_channel", "right"),
                process="inline",
            )
        ids.append(interaction.id)
    return ids


def email(name: str, domain: str) -> str:
    """A French demo agent's login."""
    return name.lower().replace(" ", ".") + f"@{domain}"


__all__ = [
    "AGENTS",
    "CONVERSATIONS",
    "LANGUAGE",
    "LEAD",
    "MODULE_TITLE",
    "SCORECARD",
    "SCORECARD_NAME",
    "TEAM",
    "email",
    "load_french",
]
