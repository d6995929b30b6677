"""Emotion and urgency flags: what in a complaint's wording asks for attention before its turn, and
the card's importance raised for it (docs/triage-flags.md).

`detect` reads a text (no database); `flag_many` stores the flags of registered cards and raises
their importance through the complaints services, as the system, with the reason on the timeline.
The negative-emotion flag comes from its learned model when one is in use, else from the word lists;
an operator marks it right or wrong (`flag_negative_mark`), which is what that model learns from.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints import access
from amends.complaints.choices import FINAL_STATES, EventKind, Importance
from amends.complaints.event_texts import Params, event_text_register
from amends.complaints.events import event_worded_note
from amends.complaints.models import Complaint
from amends.complaints.services import card_locked, complaint_update_as_system

from . import emotion
from .emotion import ANGER, Lexicon, Sentence, found_words, sentences
from .model_files import model_file_problem
from .models import NEGATIVE_MODEL, Flag, FlagKind, FlagLabel, TriageModel

logger = logging.getLogger(__name__)

EVIDENCE_LENGTH = 300  # Flag.evidence's length
# The timeline note's code when flags raise a card's importance.
RAISED = "triage_flags_raised"
# The timeline note when someone marks a card's negative flag right or wrong.
MARKED = "triage_flag_marked"

# A court or a lawyer, a lawsuit, the police, the consumer protection law.
LEGAL = Lexicon("""
подам_в_суд обращусь_в_суд =суд =суды =суда =суде =судом =суду =судам =судах =судов судебн* досудебн* =иск =иски =иска
=иском =иске исков*
адвокат* юрист* в_полицию заявлени*_в_полици* следственн* уголовн* защит*_прав_потребител* зозпп
неустойк* моральн*_вред* компенсаци*_морального гк_рф статья_22 статьей_22 статье_23
court courts sue suing sued lawsuit* lawyer* attorney* legal_action litigation class_action small_claims
police_report call_the_police the_police law_enforcement violat*_the_law breach_of_contract
դատարան* դատական* դատի_կտամ դատի_տալ հայց* փաստաբան* իրավաբան* ոստիկանություն* իրավական_քայլեր*
""".split())

# A state body that supervises the company or hears citizens' complaints.
REGULATOR = Lexicon("""
роспотребнадзор* прокурат* прокурор* центробанк* центральн*_банк* цб_рф банк_россии финансов*_уполномоченн*
омбудсмен* уполномоченн*_по_правам антимонопольн* фас роскомнадзор* ростехнадзор* росздравнадзор*
госжилинспекци* жилищн*_инспекци* трудов*_инспекци* минздрав* администраци*_президента приемн*_президента
надзорн* контролирующ*_орган* депутат* губернатор*
cfpb consumer_financial_protection ftc federal_trade_commission attorney_general ombudsman* regulator*
better_business_bureau bbb fdic occ comptroller_of_the_currency federal_reserve fcc department_of_financial
banking_department state_banking dfpi public_utilit* insurance_commissioner congress* senator*
կենտրոնական_բանկ* կբ հաշտարար* օմբուդսմեն* մարդու_իրավունքների_պաշտպան* դատախազ* տեսչական_մարմին*
սպառողների_իրավունքների_պաշտպան* մրցակցության_պաշտպանության
""".split())

# The press, television, social networks, public reviews.
PUBLICITY = Lexicon("""
сми журналист* газет* телевиден* телеканал* в_прессу =прессе =пресса =прессу соцсет* социальн*_сет* фейсбук* facebook
вконтакт* инстаграм* instagram твиттер* twitter ютуб* youtube тикток* tiktok блогер* огласк* отзовик* banki
напишу_отзыв* оставлю_отзыв* отзыв*_на_сайт* весь_интернет расскажу_всем все_узнают пикет*
the_press news_media news_station newspaper* journalist* tv_station social_media reddit yelp trustpilot
go_public bad_review public_review review_site viral everyone_will_know
լրատվամիջոց* լրագրող* մամուլ* ֆեյսբուք* սոցցանց* սոցիալական_ցանց* հեռուստատես* հրապարակայն* բոլորին_կպատմեմ
""".split())

# Danger to someone's health or life. Negated mentions do not count ("никто не пострадал", "no injury").
SAFETY = Lexicon("""
травм* ожог* обжег* отравил* отравлен* пострадал* =ранен =ранена =ранены кровотеч* =кровь =крови =кровью госпитализ*
=скорую скорая_помощь скорой_помощи угроз*_здоровью вред*_здоровью угроз*_жизни опасн* пожар* возгоран* загорел*
задымлен* взрыв* утечк*_газ* запах_газа током искрит* замыкани* аллерги* анафилак* плесен* таракан* осколк*
стекло_в тошнот* рвот* перелом* погиб* =умер =умерла скончал* самоубий* суицид* покончу_с_собой
=injured burns burned_my fire_hazard caught_fire on_fire =sparking electric_shock electrocut* explod*
gas_leak
carbon_monoxide poisoned food_poisoning allergic_reaction =hospitalized ambulance bleeding choking unsafe
=dangerous safety_hazard fire_hazard health_hazard safety_risk safety_issue health_risk mold suicid*
kill_myself end_my_life medical_emergency
վնասվածք* այրվածք* թունավոր* հիվանդանոց* շտապ_օգնություն* վտանգավոր* վտանգ* հրդեհ* պայթյուն* գազի_արտահոսք*
հոսանքահար* ալերգի* առողջությանը_վնաս* մահացել* մահացու* ինքնասպան*
""".split())

# Threats to the company or its staff, and ultimatums.
THREAT = Lexicon("""
=пожалеете =пожалеешь пеняйте_на_себя мало_не_покажется последнее_предупреждение =убью =прибью =урою =сожгу
=подожгу =взорву разнесу_ваш* найду_вас найду_тебя приду_и вам_конец я_вас_уничтожу вас_уничтожу
you_will_regret you'll_regret i_will_find_you kill_you hurt_you
watch_your_back you_have_been_warned last_warning final_warning
կզղջաք կզղջաս կսպանեմ սպառն* վերջին_զգուշացում* կայրեմ կպայթեցնեմ
""".split())

# Which kinds a negation cancels: a refused court case is still a court mentioned ("I will not go
# to court if..." is a condition, not a promise), a denied injury is no injury.
NEGATED_DOES_NOT_COUNT = frozenset({FlagKind.ANGER, FlagKind.SAFETY})
LEXICONS: dict[str, Lexicon] = {
    FlagKind.ANGER: ANGER, FlagKind.THREAT: THREAT, FlagKind.LEGAL: LEGAL,
    FlagKind.REGULATOR: REGULATOR, FlagKind.PUBLICITY: PUBLICITY, FlagKind.SAFETY: SAFETY,
}
# Danger to people and threats make a card critical; the other flags make it high. Negative emotion
# raises nothing: the word lists find it in 39 % of the Kursk appeals and 68 % of the CFPB narratives,
# and a "high" on most cards would mean nothing. It is shown, and filtered on, but not urgent.
RAISES_TO: dict[str, str] = {
    FlagKind.SAFETY: Importance.CRITICAL, FlagKind.THREAT: Importance.CRITICAL,
    FlagKind.ANGER: Importance.HIGH, FlagKind.LEGAL: Importance.HIGH,
    FlagKind.REGULATOR: Importance.HIGH, FlagKind.PUBLICITY: Importance.HIGH,
}
RANK = {value: rank for rank, value in enumerate(Importance.values)}


@dataclass(frozen=True)
class Found:
    kind: str
    evidence: str  # the words that raised it, as the customer wrote them
    probability: float | None = None  # the model's, when a model raised it
    model: TriageModel | None = None


def detect(text: str, parts: list[Sentence] | None = None) -> list[Found]:
    """The flags a text raises, in FlagKind's order, each with its words; none for empty text or a
    language the lists do not speak. `parts`: the text's sentences, when the caller has them."""
    if parts is None:
        parts = sentences(text)
    found = []
    for kind in LEXICONS:
        words: list[str] = []
        for said in found_words(LEXICONS[kind], parts, negated_count=kind not in NEGATED_DOES_NOT_COUNT):
            if said.casefold() not in (w.casefold() for w in words):
                words.append(said)
        if words:
            found.append(Found(kind, _evidence(words)))
    return found


def _evidence(words: list[str]) -> str:
    text = "; ".join(" ".join(w.split()) for w in words)
    return text if len(text) <= EVIDENCE_LENGTH else text[:EVIDENCE_LENGTH - 1] + "…"


def _raised_note(params: Params) -> str:
    kinds = dict(FlagKind.choices)
    return _("Importance raised: %(flags)s (%(evidence)s)") % {
        "flags": ", ".join(str(kinds.get(kind, kind)) for kind in params["kinds"]),
        "evidence": params["evidence"],
    }


event_text_register(EventKind.NOTE, RAISED, _raised_note)


def negative_found(texts: list[str]) -> list[Found | None]:
    """The negative-emotion flag of each text: from the model in use (with its probability), else from
    the word lists (with their words). A text the model cannot read (its file is unusable, a language
    it has not seen) is read by the word lists."""
    model = TriageModel.objects.filter(field=NEGATIVE_MODEL, active=True).first()
    probabilities: list[float | None] = [None] * len(texts)
    said = [False] * len(texts)
    if model is not None:
        # scikit-learn costs a process 1.4 s at start: loaded only when there is a model to run.
        from .learning.prediction import negative_predict

        reading = negative_predict(model, texts)
        if reading.reason:
            logger.error("Negative-emotion model v%s unusable, the word lists stand in: %s", model.version,
                         reading.reason)
        else:
            probabilities, said = reading.probabilities, reading.said
    found: list[Found | None] = []
    for text, probability, negative in zip(texts, probabilities, said, strict=True):
        if probability is not None:
            found.append(Found(FlagKind.NEGATIVE, "", probability, model) if negative else None)
            continue
        lists = emotion.read(text)
        words = list(dict.fromkeys([*lists.anger, *lists.feeling, *lists.problem]))
        found.append(Found(FlagKind.NEGATIVE, _evidence(words)) if lists.negative else None)
    return found


def flag_many(complaint_ids: list[int]) -> None:
    """Flag the cards' wording and raise their importance for the new flags: to high, or to critical
    for a danger or a threat. Idempotent: a flag is raised once a card, and importance only for a
    flag new this time, never lowered (an operator who lowered it is not overruled again); a closed
    card keeps its importance. A negative flag someone marked wrong is not raised again."""
    cards = list(Complaint.objects.filter(pk__in=complaint_ids).only("pk", "wording", "importance", "state"))
    marked = set(FlagLabel.objects.filter(complaint__in=cards, kind=FlagKind.NEGATIVE).values_list(
        "complaint_id", flat=True))
    negatives = negative_found([card.wording for card in cards])
    for complaint, negative in zip(cards, negatives, strict=True):
        found = detect(complaint.wording)
        if negative is not None and complaint.pk not in marked:
            found.append(negative)
        if found:
            _flag_one(complaint, found)


@transaction.atomic
def _flag_one(complaint: Complaint, found: Iterable[Found]) -> None:
    had = set(Flag.objects.filter(complaint=complaint).values_list("kind", flat=True))
    new = [f for f in found if f.kind not in had]
    if not new:
        return
    Flag.objects.bulk_create([
        Flag(complaint=complaint, kind=f.kind, evidence=f.evidence, probability=f.probability, model=f.model)
        for f in new
    ], ignore_conflicts=True)
    raising = [f for f in new if f.kind in RAISES_TO]
    if not raising:
        return
    target = max((RAISES_TO[f.kind] for f in raising), key=RANK.__getitem__)
    complaint = card_locked(complaint, None)  # read again: an operator may have just set it
    if complaint.state in FINAL_STATES or RANK[complaint.importance] >= RANK[target]:
        return
    complaint_update_as_system(
        complaint=complaint, changes={"importance": target},
        note_code=RAISED, note_params={
            "kinds": [f.kind for f in raising],
            "evidence": _evidence([f.evidence for f in raising]),
        },
    )


def _marked_note(params: Params) -> str:
    if params["present"]:
        return _("Marked negative: the negative emotion flag is right for this wording")
    return _("Marked not negative: the negative emotion flag is taken off")


event_text_register(EventKind.NOTE, MARKED, _marked_note)


@transaction.atomic
def flag_negative_mark(*, complaint: Complaint, present: bool, actor: User) -> None:
    """Someone who may write on the card says its wording is negative (the flag stays, or is put on) or
    is not (the flag is taken off). Kept as the label the negative-emotion model learns from, and on the
    timeline; a later reading of the card does not raise the flag against it."""
    access.access_write(actor, complaint, access.NOTE)
    FlagLabel.objects.update_or_create(complaint=complaint, kind=FlagKind.NEGATIVE, defaults={
        "present": present, "decided_by": actor, "decided_at": timezone.now()})
    if present:
        Flag.objects.get_or_create(complaint=complaint, kind=FlagKind.NEGATIVE)
    else:
        Flag.objects.filter(complaint=complaint, kind=FlagKind.NEGATIVE).delete()
    event_worded_note(complaint, actor, MARKED, {"present": present})


def flag_labels_import(labels: list[tuple[int, bool]]) -> None:
    """Imported cards' negative-emotion labels (card id, negative or not), kept as an operator's marks
    are, by nobody: history the negative-emotion model learns from as well."""
    FlagLabel.objects.bulk_create([
        FlagLabel(complaint_id=pk, kind=FlagKind.NEGATIVE, present=present) for pk, present in labels
    ], ignore_conflicts=True)


def negative_reading_state() -> tuple[TriageModel | None, str]:
    """The model that raises the negative flag now, or None and why the word lists do."""
    # The active one (at most one), else the last trained: one query, the card page asks on every view.
    last = TriageModel.objects.filter(field=NEGATIVE_MODEL).order_by("-active", "-version").first()
    if last is not None and last.active:
        problem = model_file_problem(last)
        if not problem:
            return last, ""
        return None, _("the file of model v%(version)s cannot be used: %(problem)s") % {
            "version": last.version, "problem": problem}
    if last is None:
        return None, _("no model has been trained yet")
    return None, _("model v%(version)s is not used: %(reason)s") % {"version": last.version,
                                                                     "reason": last.rejected_reason}
