"""The logbook's vocabularies (SPEC 4.1, DOMAIN.md scales), in one place for models, forms and
import."""

from django.db import models


class Procedure(models.TextChoices):
    MT = "mt", "Mechanical thrombectomy"
    DIAGNOSTIC_ANGIOGRAM = "diagnostic_angiogram", "Diagnostic cerebral angiogram"
    CAROTID_STENTING = "carotid_stenting", "Carotid stenting"
    OTHER_NEURO = "other_neuro", "Other neuro-intervention"


class TraineeRole(models.TextChoices):
    OBSERVER = "observer", "Observer"
    ASSISTANT = "assistant", "Assistant"
    PRIMARY_OPERATOR = "primary_operator", "Primary operator"


class SupervisionMode(models.TextChoices):
    SCRUBBED = "scrubbed", "Supervisor scrubbed"
    IN_ROOM = "in_room", "Supervisor in the room"
    ON_SITE = "on_site", "Supervisor on site"
    BY_PHONE = "by_phone", "Supervisor available by phone"
    NONE = "none", "No supervision"


# Direct supervision, for criteria such as "20 MTs as primary operator under direct supervision".
DIRECT_SUPERVISION = (SupervisionMode.SCRUBBED, SupervisionMode.IN_ROOM)


class ETICI(models.TextChoices):
    """Expanded TICI (Liebeskind et al., JNIS 2019)."""

    G0 = "0", "0: no reperfusion"
    G1 = "1", "1: thrombus reduction without distal filling"
    G2A = "2a", "2a: 1-49% reperfusion"
    G2B50 = "2b50", "2b50: 50-66%"
    G2B67 = "2b67", "2b67: 67-89%"
    G2C = "2c", "2c: 90-99%"
    G3 = "3", "3: complete"


ETICI_TO_MTICI = {"0": "0", "1": "1", "2a": "2a", "2b50": "2b", "2b67": "2b", "2c": "2c", "3": "3"}
SUCCESSFUL_REPERFUSION = frozenset({"2b50", "2b67", "2c", "3"})
EXCELLENT_REPERFUSION = frozenset({"2c", "3"})


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_RECORDED = "not_recorded", "Not recorded"


class AspectsModality(models.TextChoices):
    CT = "ct", "CT"
    DWI = "dwi", "MRI (DWI)"
    POSTERIOR = "pc", "Posterior circulation (pc-ASPECTS)"


class Imaging(models.TextChoices):
    NCCT = "ncct", "Non-contrast CT"
    CTA = "cta", "CT angiography"
    CTP = "ctp", "CT perfusion"
    MRI = "mri", "MRI"
    MRA = "mra", "MR angiography"


class OcclusionSite(models.TextChoices):
    ICA = "ica", "ICA"
    ICA_T = "ica_t", "ICA terminus (ICA-T)"
    M1 = "m1", "M1"
    M2 = "m2", "M2"
    M3_PLUS = "m3_plus", "M3 or more distal"
    ACA = "aca", "ACA"
    BASILAR = "basilar", "Basilar"
    VERTEBRAL = "vertebral", "Vertebral"
    PCA = "pca", "PCA"
    TANDEM = "tandem", "Tandem"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    MIDLINE = "midline", "Midline / not applicable"


class Thrombolysis(models.TextChoices):
    NONE = "none", "None"
    ALTEPLASE = "alteplase", "Alteplase"
    TENECTEPLASE = "tenecteplase", "Tenecteplase"


class Admission(models.TextChoices):
    DIRECT = "direct", "Direct admission"
    TRANSFER = "transfer", "Transfer (drip and ship)"


class OnsetType(models.TextChoices):
    WITNESSED = "witnessed", "Witnessed onset"
    WAKE_UP = "wake_up", "Wake-up stroke"
    UNWITNESSED = "unwitnessed", "Unwitnessed, last known well"


class Anaesthesia(models.TextChoices):
    LOCAL = "local", "Local anaesthetic only"
    CONSCIOUS_SEDATION = "conscious_sedation", "Conscious sedation"
    GENERAL = "general", "General anaesthetic"


class Access(models.TextChoices):
    FEMORAL = "femoral", "Femoral"
    RADIAL = "radial", "Radial"
    OTHER = "other", "Other"


class Technique(models.TextChoices):
    STENT_RETRIEVER = "stent_retriever", "Stent retriever"
    ASPIRATION = "aspiration", "Aspiration"
    COMBINED = "combined", "Combined"
    OTHER = "other", "Other"


class Complication(models.TextChoices):
    """Balami et al., Int J Stroke 2017."""

    VESSEL_PERFORATION = "vessel_perforation", "Vessel perforation"
    DISSECTION = "dissection", "Arterial dissection"
    # Told apart because only a dissection that needed treatment is a major complication
    # (DOMAIN.md, learning curves): it counts as a failure on the CUSUM chart.
    TREATED_DISSECTION = "treated_dissection", "Arterial dissection needing treatment"
    NEW_TERRITORY_EMBOLISATION = "new_territory_embolisation", "Embolisation to a new territory"
    DISTAL_EMBOLISATION = "distal_embolisation", "Distal embolisation"
    TREATED_VASOSPASM = "treated_vasospasm", "Vasospasm needing treatment"
    SAH = "sah", "Subarachnoid haemorrhage"
    DEVICE_PROBLEM = "device_problem", "Device detachment or misplacement"
    ACCESS_HAEMATOMA = "access_haematoma", "Access haematoma"
    PSEUDOANEURYSM = "pseudoaneurysm", "Pseudoaneurysm"
    RETROPERITONEAL_BLEED = "retroperitoneal_bleed", "Retroperitoneal bleed"
    ACCESS_SURGERY_OR_TRANSFUSION = (
        "access_surgery_or_transfusion",
        ("Access complication needing surgery or transfusion"),
    )
    CONTRAST_REACTION = "contrast_reaction", "Contrast reaction"
    ANAESTHETIC = "anaesthetic", "Anaesthetic complication"
    OTHER = "other", "Other"


class Heidelberg(models.TextChoices):
    NONE = "none", "No haemorrhage"
    HI1 = "1a", "1a: HI1"
    HI2 = "1b", "1b: HI2"
    PH1 = "1c", "1c: PH1"
    PH2 = "2", "2: PH2"
    REMOTE = "3a", "3a: remote parenchymal"
    INTRAVENTRICULAR = "3b", "3b: intraventricular"
    SUBARACHNOID = "3c", "3c: subarachnoid"
    SUBDURAL = "3d", "3d: subdural"


class SICHDefinition(models.TextChoices):
    HEIDELBERG = "heidelberg", "Heidelberg"
    ECASS2 = "ecass2", "ECASS II"
    ECASS3 = "ecass3", "ECASS III"
    SITS_MOST = "sits_most", "SITS-MOST"


class MRSMethod(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    TELEPHONE = "telephone", "Telephone"
    RECORDS = "records", "From records"


class VerificationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for verification"
    QUERIED = "queried", "Queried by supervisor"
    VERIFIED = "verified", "Verified"
