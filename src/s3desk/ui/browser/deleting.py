"""Deleting the selection: count what it covers, ask saying exactly what will go, then delete
in the background, one delete at a time, with a button that stops it."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject

from s3desk.core.bucket.browse import Entry
from s3desk.core.bucket.deleting import DeletePlan, delete, plan_delete
from s3desk.ui.browser.texts import delete_summary
from s3desk.ui.common.core_phrases import describe_error
from s3desk.ui.common.names import name_list
from s3desk.ui.common.questions import confirm
from s3desk.ui.common.units import human_size

if TYPE_CHECKING:
    from s3desk.ui.browser.view import BrowserView


class Deleting(QObject):
    def __init__(self, view: BrowserView) -> None:
        super().__init__(view)
        self.view = view
        self.busy = False  # one delete at a time
        self._stop = threading.Event()  # read by the delete's worker thread

    def delete_selected(self, *, all_versions: bool = False) -> None:
        """Count what the selection covers, ask, then delete it in the background. With
        ``all_versions`` every version and delete marker goes: a permanent delete."""
        view = self.view
        entries = view.selected_entries()
        if not view.bucket or not entries or self.busy:
            return
        view.keep(self._delete(entries, view.bucket, view.prefix, all_versions))

    def delete_selected_permanently(self) -> None:
        self.delete_selected(all_versions=True)

    def stop_delete(self) -> None:
        self._stop.set()

    async def _delete(
        self, entries: list[Entry], bucket: str, prefix: str, all_versions: bool = False
    ) -> None:
        view = self.view
        assert view.client is not None
        keys = [e.key for e in entries]
        client_of = view.client
        loop = asyncio.get_running_loop()
        self.busy = True
        self._stop.clear()
        view.update_buttons()
        view.say(self.tr("Counting what will be deleted…"))
        try:
            client = await loop.run_in_executor(None, client_of)
            plan = await loop.run_in_executor(
                None, lambda: plan_delete(client, bucket, keys, all_versions=all_versions)
            )
            if not shiboken6.isValid(view):
                return
            if plan.count == 0 or not self.confirm_delete(bucket, entries, plan, all_versions):
                view.say(self.tr("Nothing was deleted."))
                return
            view.bar.stop_button.setVisible(True)
            progress: list[tuple[int, int]] = []
            audit, account, stop = view.audit, view.account, self._stop
            result = await loop.run_in_executor(
                None,
                lambda: delete(
                    client, bucket, plan, on_progress=lambda d, t: progress.append((d, t)),
                    cancelled=stop.is_set, audit=audit, account=account,
                ),
            )  # fmt: skip
        except Exception as exc:
            view.fail(self.tr("Delete failed: {error}").format(error=describe_error(exc, bucket)))
            return
        finally:
            self.busy = False
            if shiboken6.isValid(view):
                view.bar.stop_button.setVisible(False)
                view.update_buttons()
        if not shiboken6.isValid(view):
            return
        view.say(delete_summary(result))
        view.message_label.setToolTip(
            "\n".join(f"{f.key}: {f.message or f.code}" for f in result.failed[:50])
        )
        view.deleteFinished.emit(result)
        if (bucket, prefix) == (view.bucket, view.prefix):
            view.refresh()

    def confirm_delete(
        self, bucket: str, entries: list[Entry], plan: DeletePlan, all_versions: bool = False
    ) -> bool:
        """Ask, saying exactly what will go; the answer decides."""
        text = self.delete_question(bucket, entries, plan, self.view.prefix, all_versions)
        if all_versions:
            title, act = self.tr("Delete permanently?"), self.tr("Delete permanently")
        else:
            title, act = self.tr("Delete objects?"), self.tr("Delete")
        return confirm(self.view, title, text, act, self.tr("Don't delete"))

    def delete_question(
        self,
        bucket: str,
        entries: list[Entry],
        plan: DeletePlan,
        prefix: str = "",
        all_versions: bool = False,
    ) -> str:
        """The question names what was selected (a few names, then how many more), the
        folder it is in, how many objects that covers and their size."""
        size, where = human_size(plan.total_size), f"s3://{bucket}/{prefix}"
        names = [e.name + ("/" if e.is_folder else "") for e in entries]
        if all_versions:
            return self._permanent_question(names, plan, where)
        if len(entries) == 1 and entries[0].is_folder:
            question = self.tr(
                "Delete the folder {name} and the %n object(s) in it ({size}) from {where}?",
                "", plan.count,
            ).format(name=names[0], size=size, where=where)  # fmt: skip
        elif len(entries) == 1 and plan.count == 1:
            question = self.tr("Delete {name} ({size}) from {where}?").format(
                name=names[0], size=size, where=where
            )
        elif any(e.is_folder for e in entries):  # the count is not the names': say why
            question = self.tr(
                "Delete {names} from {where}? With everything in the folders, that is %n "
                "object(s) ({size}).", "", plan.count,
            ).format(size=size, where=where, names=name_list(names))  # fmt: skip
        else:
            question = self.tr(
                "Delete %n object(s) ({size}) from {where}: {names}?", "", plan.count
            ).format(size=size, where=where, names=name_list(names))
        return (
            question
            + "\n\n"
            + self.tr(
                "If the bucket keeps versions, older versions stay and can be restored; "
                "otherwise this cannot be undone."
            )
        )

    def _permanent_question(self, names: list[str], plan: DeletePlan, where: str) -> str:
        markers = plan.delete_markers
        what = self.tr("%n version(s) ({size})", "", plan.count - markers).format(
            size=human_size(plan.total_size)
        )
        if markers:
            what = self.tr("{versions} and {markers}").format(
                versions=what, markers=self.tr("%n delete marker(s)", "", markers)
            )
        if len(names) == 1 and names[0].endswith("/"):
            which = self.tr("the folder {name}").format(name=names[0])
        else:
            which = name_list(names)
        return (
            self.tr("Permanently delete {what} of {which} from {where}?").format(
                what=what, which=which, where=where
            )
            + "\n\n"
            + self.tr("Every version goes. This cannot be undone.")
        )
