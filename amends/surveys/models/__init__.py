"""Questionnaires (versioned), campaigns and their invitations, the responses with their K, the
follow-ups they open, and the one row of settings administrators change."""

from .campaigns import Campaign as Campaign
from .campaigns import Invitation as Invitation
from .followups import FollowUp as FollowUp
from .policy import SurveyPolicy as SurveyPolicy
from .questionnaires import Criterion as Criterion
from .questionnaires import Questionnaire as Questionnaire
from .questionnaires import QuestionnaireVersion as QuestionnaireVersion
from .responses import Answer as Answer
from .responses import Response as Response
