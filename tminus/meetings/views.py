"""Pages for meetings. Thin: parse, call a service, render."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tminus.accounts.roles import CONTRIBUTE, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ServiceError
from tminus.core.web import add_service_errors, flash_service_error, role_required
from tminus.meetings import forms, ics, schedule, selectors, services
from tminus.meetings.addresses import attendee_addresses
from tminus.meetings.choices import MeetingStatus
from tminus.meetings.mail import system_address
from tminus.meetings.models import AgendaItem, MeetingAttendee
from tminus.releases.lookups import release_or_404


def _meeting_or_404(release, meeting_id: int):
    try:
        meeting = selectors.meeting_get(meeting_id)
    except NotFound as error:
        raise Http404(error.message) from None
    if meeting.release_id != release.pk:
        raise Http404("That meeting belongs to another release.")
    return meeting


@role_required(VIEW)
def upcoming(request):
    return render(request, "meetings/upcoming.html", {"meetings": selectors.upcoming()})


def _list_page(request, release, form=None, status=200):
    context = {"release": release, "meetings": selectors.meetings_of(release),
               "form": form or forms.MeetingCreateForm()}
    return render(request, "meetings/list.html", context, status=status)


@role_required(VIEW)
def meeting_list(request, key):
    return _list_page(request, release_or_404(key))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@require_POST
@role_required(CONTRIBUTE)
def meeting_create(request, key):
    release = release_or_404(key)
    form = forms.MeetingCreateForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["agenda"] = _lines(data["agenda"])
        try:
            meeting = services.meeting_create(release=release, actor=Actor.web(request), **data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{meeting.title} planned.")
            return redirect("meetings-detail", key=release.key, meeting_id=meeting.pk)
    return _list_page(request, release, form=form, status=422)


def _detail_page(request, release, meeting, status=200, **given):
    attendees = list(selectors.attendees(meeting))
    found = attendee_addresses(meeting)
    for attendee in attendees:
        attendee.addresses = found.get(attendee.pk, [])
    context = {
        "release": release, "meeting": meeting, "attendees": attendees,
        "ends_at": schedule.ends_at(
            schedule.starts_at(meeting.date, meeting.start_time, meeting.time_zone),
            meeting.duration_minutes),
        "agenda": list(selectors.agenda(meeting)),
        "invitations": list(selectors.invitations(meeting, limit=50)),
        "feedback": selectors.feedback_summary(attendees),
        "is_scheduled": meeting.status == MeetingStatus.SCHEDULED,
        "attendance_choices": forms.AttendanceForm.base_fields["attendance"].choices,
        "notes_form": given.get("notes_form") or forms.NotesForm(initial={
            "revision": meeting.revision, "notes": meeting.notes,
            "decisions": meeting.decisions}),
        "attendee_form": given.get("attendee_form") or forms.AttendeeForm(),
        "agenda_form": forms.AgendaForm(),
        "cancel_form": forms.CancelForm(),
    }
    return render(request, "meetings/detail.html", context, status=status)


@role_required(VIEW)
def meeting_detail(request, key, meeting_id):
    release = release_or_404(key)
    return _detail_page(request, release, _meeting_or_404(release, meeting_id))


def _initial(meeting) -> dict:
    return {"revision": meeting.revision, "kind": meeting.kind, "title": meeting.title,
            "date": meeting.date, "start_time": meeting.start_time,
            "duration_minutes": meeting.duration_minutes, "time_zone": meeting.time_zone,
            "location": meeting.location, "link": meeting.link,
            "organiser": meeting.organiser_id, "trainer": meeting.trainer_id,
            "audience": meeting.audience, "topics": meeting.topics,
            "description": meeting.description, "status": meeting.status}


@role_required(CONTRIBUTE)
def meeting_edit(request, key, meeting_id):
    release = release_or_404(key)
    meeting = _meeting_or_404(release, meeting_id)
    form = forms.MeetingEditForm(request.POST or None, initial=_initial(meeting))
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items()
                   if k in form.changed_data and k != "revision"}
        if form.cleaned_data["end_time"] is None:
            changes.pop("end_time", None)
        try:
            services.meeting_update(meeting=meeting, revision=form.cleaned_data["revision"],
                                    changes=changes, actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return redirect("meetings-detail", key=release.key, meeting_id=meeting.pk)
    status = 422 if form.errors and request.method == "POST" else 200
    return render(request, "meetings/edit.html",
                  {"release": release, "meeting": meeting, "form": form}, status=status)


def _back(meeting):
    return redirect("meetings-detail", key=meeting.release.key, meeting_id=meeting.pk)


@require_POST
@role_required(CONTRIBUTE)
def notes_save(request, key, meeting_id):
    release = release_or_404(key)
    meeting = _meeting_or_404(release, meeting_id)
    form = forms.NotesForm(request.POST)
    if form.is_valid():
        changes = dict(form.cleaned_data)
        revision = changes.pop("revision")
        try:
            services.meeting_update(meeting=meeting, revision=revision, changes=changes,
                                    actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return _back(meeting)
    return _detail_page(request, release, meeting, status=422, notes_form=form)


@require_POST
@role_required(CONTRIBUTE)
def meeting_cancel(request, key, meeting_id):
    meeting = _meeting_or_404(release_or_404(key), meeting_id)
    form = forms.CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.meeting_cancel(meeting=meeting, reason=reason, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, "Meeting cancelled; invited attendees are told.")
    return _back(meeting)


@require_POST
@role_required(CONTRIBUTE)
def invitations_send(request, key, meeting_id):
    meeting = _meeting_or_404(release_or_404(key), meeting_id)
    try:
        sent = services.meeting_invitations_send(meeting=meeting, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"{len(sent)} invitation{'s' if len(sent) != 1 else ''} "
                                  "queued.")
    return _back(meeting)


@require_POST
@role_required(CONTRIBUTE)
def invitations_retry(request, key, meeting_id):
    meeting = _meeting_or_404(release_or_404(key), meeting_id)
    count = services.meeting_invitations_retry(meeting=meeting, actor=Actor.web(request))
    messages.success(request, f"{count} failed invitation(s) queued again.")
    return _back(meeting)


@require_POST
@role_required(CONTRIBUTE)
def attendee_add(request, key, meeting_id):
    release = release_or_404(key)
    meeting = _meeting_or_404(release, meeting_id)
    form = forms.AttendeeForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_attendee_add(meeting=meeting, actor=Actor.web(request),
                                          **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return _back(meeting)
    return _detail_page(request, release, meeting, status=422, attendee_form=form)


def _attendee_or_404(meeting, attendee_id):
    return get_object_or_404(MeetingAttendee.objects.select_related("meeting", "person"),
                             pk=attendee_id, meeting=meeting)


@require_POST
@role_required(CONTRIBUTE)
def attendee_remove(request, key, meeting_id, attendee_id):
    meeting = _meeting_or_404(release_or_404(key), meeting_id)
    try:
        services.meeting_attendee_remove(attendee=_attendee_or_404(meeting, attendee_id),
                                         actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    return _back(meeting)


@require_POST
@role_required(CONTRIBUTE)
def attendance_set(request, key, meeting_id, attendee_id):
    meeting = _meeting_or_404(release_or_404(key), meeting_id)
    attendee = _attendee_or_404(meeting, attendee_id)
    try:
        services.meeting_attendance_set(attendee=attendee,
                                        attendance=request.POST.get("attendance", ""),
                                        actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    return _back(meeting)


@require_POST
@role_required(CONTRIBUTE)
def feedback_record(request, key, meeting_id, attendee_id):
    meeting = _meeting_or_404(release_or_404(key), meeting_id)
    attendee = _attendee_or_404(meeting, attendee_id)
    form = forms.FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A rating is a whole number from 1 to 5.")
        return _back(meeting)
    try:
        services.meeting_feedback_record(attendee=attendee, actor=Actor.web(request),
                                         **form.cleaned_data)
    except ServiceError as error:
        flash_service_error(request, error)
    return _back(meeting)


@require_POST
@role_required(CONTRIBUTE)
def agenda_add(request, key, meeting_id):
    meeting = _meeting_or_404(release_or_404(key), meeting_id)
    form = forms.AgendaForm(request.POST)
    try:
        services.agenda_item_add(meeting=meeting, actor=Actor.web(request),
                                 text=form.data.get("text", ""))
    except ServiceError as error:
        flash_service_error(request, error)
    return _back(meeting)


@require_POST
@role_required(CONTRIBUTE)
def agenda_set(request, key, meeting_id, item_id):
    meeting = _meeting_or_404(release_or_404(key), meeting_id)
    item = get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=item_id,
                             meeting=meeting)
    services.agenda_item_set(item=item, done=request.POST.get("done") == "1",
                             actor=Actor.web(request))
    return _back(meeting)


@role_required(VIEW)
def invite_ics(request, key, meeting_id):
    """The meeting as a calendar file, for people who add it by hand."""
    meeting = _meeting_or_404(release_or_404(key), meeting_id)
    if meeting.date is None or meeting.start_time is None:
        raise Http404("The meeting has no date and time yet.")
    found = attendee_addresses(meeting)
    listed = [(name, email, a.required) for a in meeting.attendees.all()
              for name, email in found.get(a.pk, [])]
    organiser = meeting.organiser
    content = ics.invitation_ics(
        meeting, method="PUBLISH", sequence=meeting.sequence, attendees=listed,
        organiser=(organiser.name, organiser.email) if organiser and organiser.email
        else system_address())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
