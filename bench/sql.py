"""Hand-written SQL: the floor each app path is compared with.

``REPORT`` computes every figure of ``governance.indicators.indicators_for`` over all verified
cases in one statement (one scan of the table); ``export_copy`` is ``COPY ... TO STDOUT`` of the
columns the app's case export writes. Both run through ``psql`` in bench/run.py.
"""

from caselogs import choices as c
from caselogs.models import INTERVAL_LIMITS
from governance.indicators import COMPLETENESS_FIELDS

_SUCCESSFUL = ", ".join(f"'{v}'" for v in sorted(c.SUCCESSFUL_REPERFUSION))
_EXCELLENT = ", ".join(f"'{v}'" for v in sorted(c.EXCELLENT_REPERFUSION))
_TEXT_COLUMNS = {
    "sex",
    "occlusion_site",
    "thrombolysis",
    "anaesthesia",
    "technique",
    "first_pass_etici",
    "haemorrhage",
}


def _present(name: str) -> str:
    if name in _TEXT_COLUMNS:
        return f"count(*) FILTER (WHERE {name} <> '') AS has_{name}"
    return f"count({name}) AS has_{name}"


def _quartiles(name: str) -> str:
    return (
        f"percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY {name}) "
        f"AS q_{name}, count({name}) AS n_{name}"
    )


REPORT = f"""
SELECT json_build_object(
  'by_procedure', (SELECT json_object_agg(procedure, n) FROM (
      SELECT procedure, count(*) AS n FROM caselogs_case WHERE status = 'verified'
      GROUP BY procedure) AS p),
  'mt', (SELECT row_to_json(t) FROM (
      SELECT count(*) AS n,
        count(*) FILTER (WHERE final_etici IN ({_SUCCESSFUL})) AS successful,
        count(*) FILTER (WHERE final_etici IN ({_EXCELLENT})) AS excellent,
        count(*) FILTER (WHERE passes = 1 AND final_etici IN ({_EXCELLENT})
                         AND rescue_therapy IS NOT TRUE) AS first_pass,
        count(*) FILTER (WHERE any_complication) AS complicated,
        count(mrs_90_days) AS mrs_recorded,
        count(*) FILTER (WHERE mrs_90_days <= 2) AS mrs_good,
        count(*) FILTER (WHERE mrs_90_days = 6) AS died,
        count(*) FILTER (WHERE ssnap_entered) AS ssnap,
        {", ".join(_present(name) for name in COMPLETENESS_FIELDS)},
        {", ".join(_quartiles(name) for name in INTERVAL_LIMITS)}
      FROM caselogs_case WHERE status = 'verified' AND procedure = 'mt') AS t),
  'complications', (SELECT json_object_agg(k, n) FROM (
      SELECT e.k, count(*) AS n FROM caselogs_case AS m
      CROSS JOIN LATERAL (SELECT DISTINCT value FROM jsonb_array_elements_text(m.complications))
        AS e(k)
      WHERE m.status = 'verified' AND m.procedure = 'mt' AND m.complications <> '[]'::jsonb
      GROUP BY e.k) AS x),
  'sich', (SELECT json_object_agg(sich_definition, n) FROM (
      SELECT sich_definition, count(*) AS n FROM caselogs_case
      WHERE status = 'verified' AND procedure = 'mt' AND haemorrhage_symptomatic
      GROUP BY sich_definition) AS s)
)
"""

# The columns of the app's case export, raw: no pseudonyms, escaping or derived values.
EXPORT_COPY = """
COPY (
  SELECT c.trainee_id, c.reference, c.performed_on, s.name, o.name, c.out_of_hours, c.procedure,
    c.trainee_role, c.supervisor_id, c.supervision_mode, c.final_etici, c.passes,
    c.any_complication, c.age, c.sex, c.pre_stroke_mrs, c.nihss_baseline, c.aspects,
    c.aspects_modality, c.imaging, c.occlusion_site, c.occlusion_side, c.thrombolysis,
    c.admission, c.onset_type, c.onset_to_arrival_minutes, c.door_in_door_out_minutes,
    c.door_to_imaging_minutes, c.door_to_puncture_minutes, c.puncture_to_reperfusion_minutes,
    c.procedure_minutes, c.anaesthesia, c.access, c.technique, c.balloon_guide,
    c.first_pass_etici, c.rescue_therapy, c.aborted_reason, c.complications, c.haemorrhage,
    c.haemorrhage_symptomatic, c.sich_definition, c.nihss_24h, c.died_in_hospital,
    c.mrs_90_days, c.mrs_90_days_method, c.ssnap_entered, c.reflection, c.status, c.revision,
    v.supervisor_view_of_role, v.supervisor_view_of_mode,
    (SELECT p.phase FROM phases_phaserecord AS p
      WHERE p.agreement_id = c.agreement_id AND p.started_on <= c.performed_on
        AND (p.ended_on IS NULL OR p.ended_on > c.performed_on)
      ORDER BY p.started_on DESC, p.id DESC LIMIT 1)
  FROM caselogs_case AS c
  JOIN accounts_site AS s ON s.id = c.site_id
  JOIN accounts_organisation AS o ON o.id = s.organisation_id
  LEFT JOIN caselogs_caseverification AS v
    ON v.case_id = c.id AND v.revision = c.revision AND v.decision = 'verified'
  ORDER BY c.performed_on, c.id
) TO STDOUT WITH CSV HEADER
"""
