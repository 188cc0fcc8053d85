"""Read the O*NET 29.1 text files as published (tab-separated, UTF-8, a header row) into an ImportBundle.

Occupations become standards with their Job Zone as level and their alternate titles as labels.
The skill map of an occupation is its task statements (Core essential, Supplemental optional),
followed by the technology skills O*NET lists for it (optional, skill type "technology").
"""
import csv
import re
from pathlib import Path

from app.errors import ImportRejected
from app.importers.records import FrameworkRecord, ImportBundle, Rejection, SkillRecord, StandardRecord

FRAMEWORK_TITLE = "O*NET-SOC 2019 occupations (O*NET 29.1 Database)"
FRAMEWORK_URI = "https://www.onetcenter.org/database.html"
SUMMARY_URL = "https://www.onetonline.org/link/summary/{code}"

OCCUPATIONS = "Occupation Data.txt"
TASKS = "Task Statements.txt"
JOB_ZONES = "Job Zones.txt"
ALTERNATE_TITLES = "Alternate Titles.txt"
TECHNOLOGY = "Technology Skills.txt"

CODE = "O*NET-SOC Code"
OCCUPATION_COLUMNS = (CODE, "Title", "Description")
TASK_COLUMNS = (CODE, "Task ID", "Task", "Task Type")
JOB_ZONE_COLUMNS = (CODE, "Job Zone")
ALTERNATE_TITLE_COLUMNS = (CODE, "Alternate Title", "Short Title")
TECHNOLOGY_COLUMNS = (CODE, "Example", "Commodity Title")

ONET_SOC_CODE = re.compile(r"\d{2}-\d{4}\.\d{2}")
TASK_ID = re.compile(r"\d+")
# O*NET writes "n/a" where a task has no type (tasks not yet rated) and where a title has no short form.
NOT_AVAILABLE = "n/a"
TASK_TYPES = {"Core": True, "Supplemental": False, NOT_AVAILABLE: False, "": False}
JOB_ZONE_VALUES = {"1", "2", "3", "4", "5"}


def read_onet(directory) -> ImportBundle:
    """Read occupations, task statements, technology skills, job zones and alternate titles from `directory`."""
    directory = Path(directory)
    rejected = []
    standards = _read_occupations(directory, rejected)
    tasks, task_maps = _read_tasks(directory, standards, rejected)
    technologies, technology_maps = _read_technology(directory, standards, rejected)
    _read_job_zones(directory, standards, rejected)
    _read_alternate_titles(directory, standards, rejected)
    for code, standard in standards.items():
        # Core tasks, then supplemental ones, each in the published order; then technology by name.
        ordered_tasks = sorted(task_maps.get(code, []), key=lambda link: not link[1])
        ordered_technology = sorted(technology_maps.get(code, []), key=lambda c: (c.casefold(), c))
        standard.skills = ordered_tasks + [(c, False) for c in ordered_technology]
    return ImportBundle(
        framework=FrameworkRecord(code="ONET-SOC", title=FRAMEWORK_TITLE, country="US", version="29.1",
                                  uri=FRAMEWORK_URI),
        skills=list(tasks.values()) + list(technologies.values()),
        standards=list(standards.values()),
        source=directory.name,
        rejected=rejected,
    )


# ---------------------------------------------------------------- the files

def _read_occupations(directory, rejected):
    standards = {}
    for row_number, (code, title, description) in _rows(directory, OCCUPATIONS, OCCUPATION_COLUMNS, rejected):
        problem = None
        if not ONET_SOC_CODE.fullmatch(code):
            problem = f"{CODE} {code!r} is not of the form 00-0000.00"
        elif code in standards:
            problem = f"occupation {code} is listed twice"
        elif not title:
            problem = "Title is empty"
        if problem:
            rejected.append(Rejection(OCCUPATIONS, row_number, code or None, problem))
            continue
        standards[code] = StandardRecord(
            code=code, title={"en": title}, description={"en": description} if description else {},
            uri=SUMMARY_URL.format(code=code), source_row=row_number,
        )
    return standards


def _read_tasks(directory, standards, rejected):
    """Task skill records by code, and each occupation's (task code, essential) list in file order."""
    tasks, task_maps = {}, {}
    for row_number, (code, task_id, text, task_type) in _rows(directory, TASKS, TASK_COLUMNS, rejected):
        skill_code = f"task-{task_id}"
        problem = _unknown_occupation(code, standards)
        if problem is None:
            if not TASK_ID.fullmatch(task_id):
                problem = f"Task ID {task_id!r} is not a number"
            elif skill_code in tasks:
                problem = f"Task ID {task_id} is listed twice"
            elif not text:
                problem = "Task is empty"
            elif task_type not in TASK_TYPES:
                problem = f"Task Type {task_type!r} is neither Core nor Supplemental"
        if problem:
            rejected.append(Rejection(TASKS, row_number, code or None, problem))
            continue
        tasks[skill_code] = SkillRecord(code=skill_code, title={"en": text}, skill_type="task", source_row=row_number)
        task_maps.setdefault(code, []).append((skill_code, TASK_TYPES[task_type]))
    return tasks, task_maps


def _read_technology(directory, standards, rejected):
    """Technology skill records (one per distinct example name) and each occupation's codes."""
    technologies, commodities, technology_maps = {}, {}, {}
    for row_number, (code, example, commodity) in _rows(directory, TECHNOLOGY, TECHNOLOGY_COLUMNS, rejected):
        # The example name is the identity O*NET gives a technology; it is unique and stable across releases.
        skill_code = f"tech-{example}"
        problem = _unknown_occupation(code, standards)
        if problem is None:
            if not example:
                problem = "Example is empty"
            elif skill_code in technology_maps.get(code, ()):
                problem = f"technology {example!r} is listed twice for this occupation"
        if problem:
            rejected.append(Rejection(TECHNOLOGY, row_number, code or None, problem))
            continue
        if skill_code not in technologies:
            technologies[skill_code] = SkillRecord(code=skill_code, title={"en": example}, skill_type="technology",
                                                   source_row=row_number)
        if commodity:
            commodities.setdefault(skill_code, set()).add(commodity)
        technology_maps.setdefault(code, {})[skill_code] = True
    for skill_code, titles in commodities.items():
        # Some examples sit in several commodity classes (Microsoft Outlook: e-mail and calendar software).
        technologies[skill_code].description = {"en": "; ".join(sorted(titles))}
    return technologies, technology_maps


def _read_job_zones(directory, standards, rejected):
    seen = set()
    for row_number, (code, job_zone) in _rows(directory, JOB_ZONES, JOB_ZONE_COLUMNS, rejected):
        problem = _unknown_occupation(code, standards)
        if problem is None:
            if job_zone not in JOB_ZONE_VALUES:
                problem = f"Job Zone {job_zone!r} is not 1 to 5"
            elif code in seen:
                problem = f"occupation {code} has two Job Zones"
        if problem:
            rejected.append(Rejection(JOB_ZONES, row_number, code or None, problem))
            continue
        seen.add(code)
        standards[code].level = job_zone


def _read_alternate_titles(directory, standards, rejected):
    labels = {}
    for row_number, (code, title, short_title) in _rows(directory, ALTERNATE_TITLES, ALTERNATE_TITLE_COLUMNS, rejected):
        problem = _unknown_occupation(code, standards)
        if problem is None and not title:
            problem = "Alternate Title is empty"
        if problem:
            rejected.append(Rejection(ALTERNATE_TITLES, row_number, code or None, problem))
            continue
        titles = labels.setdefault(code, {})  # a dict keeps the published order and drops repeats
        titles[title] = None
        if short_title and short_title != NOT_AVAILABLE:
            titles[short_title] = None
    for code, titles in labels.items():
        standards[code].alt_labels = {"en": list(titles)}


def _unknown_occupation(code, standards):
    return None if code in standards else f"unknown {CODE} {code!r}"


# ---------------------------------------------------------------- reading a text file

def _rows(directory, file_name, columns, rejected):
    """Yield (row number, values of `columns`) for each data row; the header is row 1.

    Raises ImportRejected when the file is missing, unreadable or lacks a column; a row with the
    wrong number of fields is rejected on its own.
    """
    path = directory / file_name
    if not path.is_file():
        raise ImportRejected(f"{file_name} not found in {directory}", file=file_name, reason="missing file")
    row_number = 1
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            # O*NET text files do not quote fields, and task statements contain quote characters.
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if header is None:
                raise ImportRejected(f"{file_name} is empty", file=file_name, row=1, reason="empty file, no header row")
            missing = [c for c in columns if c not in header]
            if missing:
                raise ImportRejected(f"{file_name} lacks column(s) {', '.join(missing)}", file=file_name, row=1,
                                     reason=f"missing column(s): {', '.join(missing)}")
            positions = [header.index(c) for c in columns]
            width = len(header)
            for row_number, row in enumerate(reader, start=2):
                if len(row) != width:
                    if not any(row):
                        continue  # a blank line is not a row
                    rejected.append(Rejection(file_name, row_number, row[0] if row else None,
                                              f"row has {len(row)} fields, the header has {width}"))
                    continue
                yield row_number, [row[p].strip() for p in positions]
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"{file_name} is not UTF-8 near row {row_number + 1}", file=file_name,
                             row=row_number + 1, reason=f"not UTF-8: {exc}") from None
    except csv.Error as exc:
        raise ImportRejected(f"{file_name} row {row_number + 1} is not valid tab-separated text: {exc}",
                             file=file_name, row=row_number + 1, reason=f"invalid text row: {exc}") from None
    except OSError as exc:
        raise ImportRejected(f"{file_name} cannot be read: {exc}", file=file_name,
                             reason=f"unreadable: {exc}") from None
