"""Resident segments: KMeans over standardized features, described in words, and the outreach list.

The features (services/segment_features.py) are standardized (StandardScaler), then KMeans
runs for every k from 2 to 6 (at most residents - 1 and the number of distinct rows), with
a fixed `random_state` and an explicit `n_init`; the k with the best silhouette wins (the
smaller k on a tie). Segments are numbered by size, largest first, so the same data always
gives the same numbers.

A segment is described by the features whose centroid lies at least `HIGH_Z` standard
deviations above or below the community's mean (and, for "high", at least the absolute
minimum in `_MIN_HIGH`, so "many help calls" never means 0.3 calls). Each such feature is a
flag like `help_calls_high`; the web pages turn flags and centroid values into words.

Who should get a home visit is data (assets/workflow/outreach.yaml): residents of a segment
carrying one of the listed flags, not visited for the given number of days.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

import numpy as np
import yaml
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from sqlalchemy.orm import Session

from server.services import visits
from server.services.segment_features import FEATURES, WINDOW_DAYS, ResidentFeatures, resident_features

log = logging.getLogger(__name__)

OUTREACH_FILE = Path(__file__).resolve().parents[2] / "assets" / "workflow" / "outreach.yaml"
MIN_RESIDENTS = 6  # fewer, and two or more segments would say nothing about anyone
K_CHOICES = range(2, 7)
RANDOM_STATE = 0
N_INIT = 10
SILHOUETTE_SAMPLE = 2000  # silhouette is quadratic; larger communities are sampled (fixed seed)
HIGH_Z = 0.5
_MIN_HIGH = {"age": 0.0, "activities": 1.0, "services": 1.0, "kiosk_days": 1.0,
             "help_calls": 1.0, "days_since_visit": 30.0}


class Problem(StrEnum):
    TOO_FEW = "too_few"  # fewer than MIN_RESIDENTS residents in scope
    ALL_ALIKE = "all_alike"  # fewer than two distinct feature rows: nothing to tell apart


@dataclass(frozen=True, slots=True)
class Flag:
    feature: str
    direction: str  # "high" or "low"

    @property
    def name(self) -> str:
        return f"{self.feature}_{self.direction}"


@dataclass(frozen=True, slots=True)
class Segment:
    number: int  # 1 = largest
    members: list[uuid.UUID]
    centroid: dict[str, float]  # original units
    flags: list[Flag]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def flag_names(self) -> list[str]:
        return [flag.name for flag in self.flags]


@dataclass(frozen=True, slots=True)
class OutreachEntry:
    resident_id: uuid.UUID
    segment: int
    flags: list[str]  # the outreach flags the resident's segment carries
    days_since_visit: int
    task_open: bool


@dataclass(slots=True)
class Segmentation:
    residents: int
    window_days: int
    problem: Problem | None = None
    k: int | None = None
    silhouette: float | None = None
    scores: dict[int, float] = field(default_factory=dict)  # silhouette per k tried
    segments: list[Segment] = field(default_factory=list)
    features: dict[uuid.UUID, ResidentFeatures] = field(default_factory=dict)
    outreach: list[OutreachEntry] = field(default_factory=list)
    ages_filled: int = 0  # residents without a birth year (age filled in)


@dataclass(frozen=True, slots=True)
class OutreachRule:
    segment_flags: frozenset[str]
    not_visited_days: int
    due_in_days: int


@cache
def outreach_rule(path: Path = OUTREACH_FILE) -> OutreachRule:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    known = {f"{feature}_{direction}" for feature in FEATURES for direction in ("high", "low")}
    flags = frozenset(str(flag) for flag in data["segment_flags"])
    if not flags or flags - known:
        raise ValueError(f"{path}: segment_flags must be some of {sorted(known)}")
    return OutreachRule(flags, int(data["not_visited_days"]), int(data["due_in_days"]))


def segment(session: Session, resident_ids: Collection[uuid.UUID], *, now: datetime, timezone: str,
            window_days: int = WINDOW_DAYS) -> Segmentation:
    """Segment these residents (a staff member's grids, or everyone for an admin)."""
    rows = resident_features(session, resident_ids, now=now, timezone=timezone, window_days=window_days)
    result = Segmentation(residents=len(rows), window_days=window_days,
                          features={row.resident_id: row for row in rows},
                          ages_filled=sum(1 for row in rows if not row.age_known))
    if len(rows) < MIN_RESIDENTS:
        result.problem = Problem.TOO_FEW
        return result
    data = np.array([row.values for row in rows], dtype=float)
    distinct = len(np.unique(data, axis=0))
    if distinct < 2:
        result.problem = Problem.ALL_ALIKE
        return result
    scaled = StandardScaler().fit_transform(data)
    labels = _best_labels(scaled, min(max(K_CHOICES), len(rows) - 1, distinct), result)
    result.segments = _describe(rows, data, scaled, labels)
    result.outreach = _outreach(session, result, outreach_rule())
    log.info("segmented %d residents into %d segments (silhouette %.3f)",
             len(rows), result.k, result.silhouette)
    return result


def _best_labels(scaled: np.ndarray, k_max: int, result: Segmentation) -> np.ndarray:
    best: tuple[float, int, np.ndarray] | None = None
    sample = SILHOUETTE_SAMPLE if len(scaled) > SILHOUETTE_SAMPLE else None
    for k in range(min(K_CHOICES), k_max + 1):
        labels = KMeans(n_clusters=k, random_state=RANDOM_STATE, n_init=N_INIT).fit_predict(scaled)
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(scaled, labels, sample_size=sample, random_state=RANDOM_STATE))
        result.scores[k] = round(score, 4)
        if best is None or score > best[0] + 1e-9:  # ties keep the smaller k
            best = (score, k, labels)
    assert best is not None  # two distinct rows always split in two
    result.silhouette, result.k = round(best[0], 4), best[1]
    return best[2]


def _describe(rows: list[ResidentFeatures], data: np.ndarray, scaled: np.ndarray,
              labels: np.ndarray) -> list[Segment]:
    groups = []
    for label in sorted(set(labels.tolist())):
        mask = labels == label
        centroid = data[mask].mean(axis=0)
        z = scaled[mask].mean(axis=0)
        members = [row.resident_id for row, inside in zip(rows, mask, strict=True) if inside]
        groups.append((members, centroid, z))
    # Largest first; equal sizes by centroid, so numbering never depends on KMeans' labels.
    groups.sort(key=lambda group: (-len(group[0]), tuple(round(v, 6) for v in group[1])))
    segments = []
    for number, (members, centroid, z) in enumerate(groups, start=1):
        flags = []
        for index, feature in enumerate(FEATURES):
            if z[index] >= HIGH_Z and centroid[index] >= _MIN_HIGH[feature]:
                flags.append(Flag(feature, "high"))
            elif z[index] <= -HIGH_Z:
                flags.append(Flag(feature, "low"))
        segments.append(Segment(number, members,
                                {feature: round(float(centroid[i]), 1) for i, feature in enumerate(FEATURES)},
                                flags))
    return segments


def _outreach(session: Session, result: Segmentation, rule: OutreachRule) -> list[OutreachEntry]:
    entries = []
    for seg in result.segments:
        matched = sorted(rule.segment_flags & set(seg.flag_names))
        if not matched:
            continue
        for resident_id in seg.members:
            days = int(result.features[resident_id].value("days_since_visit"))
            if days < rule.not_visited_days:
                continue
            entries.append(OutreachEntry(resident_id, seg.number, matched, days,
                                         visits.open_task(session, resident_id) is not None))
    entries.sort(key=lambda entry: (-entry.days_since_visit, entry.segment, str(entry.resident_id)))
    return entries


def create_outreach_tasks(session: Session, result: Segmentation, chosen: Collection[uuid.UUID], *,
                          today: date, actor: str) -> int:
    """Plan a visit for each chosen resident on the outreach list; returns how many were planned.

    Residents not (or no longer) on the list are skipped, and so is anyone with an open
    task: pressing the button twice plans nothing the second time.
    """
    rule = outreach_rule()
    wanted = set(chosen)
    planned = 0
    for entry in result.outreach:
        if entry.resident_id not in wanted or entry.task_open:
            continue
        task = visits.plan_task(session, entry.resident_id, due_on=today + timedelta(days=rule.due_in_days),
                                reason=visits.TaskReason.OUTREACH,
                                detail={"segment": entry.segment, "flags": entry.flags,
                                        "days_since_visit": entry.days_since_visit},
                                actor=actor)
        planned += task is not None
    return planned
