"""The sidebar: the accounts, their buckets and favourite places as a tree beside the tabs.

The accounts are the account box's entries (it is filled by the account switcher), or the
storage in use when the box lists none. An account's buckets are listed when it is first
expanded, off the UI thread: the account in use with the window's engine, another saved
account with its own credentials, anything else once it is chosen. Opening a bucket or a
favourite switches to its account if need be and shows it in Browse, where drops go.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QStandardItem
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QMenu,
    QStatusBar,
    QTabWidget,
    QTreeView,
    QWidget,
)

from s3desk.core.bucket.buckets import list_bucket_names, list_bucket_names_at
from s3desk.core.config.account_store import AccountStore
from s3desk.core.config.accounts import AccountKind
from s3desk.core.config.favourites import Favourite, FavouritesFileError, FavouritesStore
from s3desk.core.config.secrets import SecretStoreError
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.ui.browser.view import BrowserView
from s3desk.ui.common.core_phrases import describe_error, shown
from s3desk.ui.window.destination import DestinationBox
from s3desk.ui.window.engine import Engine
from s3desk.ui.window.places_model import (
    ACCOUNT,
    ACCOUNT_ROW,
    BUCKET,
    BUCKET_ROW,
    FAVOURITE_ROW,
    KIND,
    LABEL,
    LISTED,
    PREFIX,
    PlacesModel,
)

# The account box's key for storage that is not an account (the environment's AWS
# credentials, an --endpoint-url): favourites of the window without accounts go under it.
ENVIRONMENT = "environment"
# The sidebar's width as the window opens: an account's name of two or three words beside its
# icon; the user can drag it wider.
SIDEBAR_WIDTH = 200

Lister = Callable[[], list[str]]


class SidebarHost(Protocol):
    """What the sidebar uses of the main window."""

    engine: Engine | None
    endpoint: S3Endpoint | None
    destination_box: DestinationBox
    browser: BrowserView
    tabs: QTabWidget

    @property
    def uses_upload_service(self) -> bool: ...

    def statusBar(self) -> QStatusBar: ...


class PlacesTree(QTreeView):
    """Delete removes the favourite under the cursor: the key is the tree's while it has the
    focus, not the Browse tab's (which deletes objects with it)."""

    removeRequested = Signal(QModelIndex)

    def sizeHint(self) -> QSize:
        # The dock opens at its content's hint: a tree's own is wider than a list of names needs.
        return QSize(SIDEBAR_WIDTH, super().sizeHint().height())

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Delete)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Delete):
            self.removeRequested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class Sidebar(QDockWidget):
    # An account's buckets are shown, or why they are not (its key).
    bucketsListed = Signal(str)

    def __init__(
        self,
        host: SidebarHost,
        accounts: AccountStore | None,
        choose_account: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Places"), parent)
        self.setObjectName("sidebar")
        self.setAccessibleName(self.tr("Places: accounts, buckets and favourites"))
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable)  # fmt: skip
        self._host = host
        self._accounts = accounts
        self._choose_account = choose_account
        self.favourites = FavouritesStore()
        self._favourites_problem = ""
        self._generation = 0  # listings of an earlier tree are not shown in this one
        self._listings: set[asyncio.Future[None]] = set()
        self._shown: tuple[list[tuple[str, str]], str] | None = None
        self._favourite_action: QAction | None = None  # the window's, given in follow()
        # (account, bucket) of the bucket row the cursor was on when the tree was filled
        # again: it goes back there once that account's buckets are listed.
        self._cursor_bucket: tuple[str, str] | None = None
        self.model = PlacesModel(self)
        self.model.itemChanged.connect(self._renamed)
        self.tree = self._build_tree()
        self.setWidget(self.tree)
        self.setMinimumWidth(160)
        # The account box is refilled an entry at a time: the tree follows once it is done.
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.refresh)
        box = host.destination_box.account_box
        for signal in (box.model().rowsInserted, box.model().rowsRemoved,
                       box.model().modelReset, box.currentIndexChanged):  # fmt: skip
            signal.connect(self._refresh_timer.start)
        self._load_favourites()
        self.refresh()

    def _build_tree(self) -> PlacesTree:
        tree = PlacesTree()
        tree.setModel(self.model)
        tree.setHeaderHidden(True)
        # A favourite's place cut in the middle keeps its bucket and its last folder in view.
        tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        tree.setAccessibleName(self.tr("Accounts, buckets and favourites"))
        tree.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        tree.setExpandsOnDoubleClick(False)  # activating an account row toggles it
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._context_menu)
        tree.activated.connect(self._activated)
        tree.expanded.connect(self._expanded)
        tree.removeRequested.connect(self.remove_favourite)
        return tree

    def follow(self, show_action: QAction, favourite_action: QAction) -> None:
        """The window's "Show sidebar" and "Add to favourites" actions."""
        show_action.toggled.connect(self.setVisible)
        self.toggleViewAction().toggled.connect(show_action.setChecked)  # its close button
        favourite_action.triggered.connect(self.add_browsed)
        self._favourite_action = favourite_action
        self._host.tabs.currentChanged.connect(self._update_favourite_action)
        self._host.browser.locationChanged.connect(self._update_favourite_action)
        self._update_favourite_action()

    def _update_favourite_action(self) -> None:
        host = self._host
        browsing = host.tabs.currentWidget() is host.browser and bool(host.browser.bucket)
        if self._favourite_action is not None:
            self._favourite_action.setEnabled(browsing)

    # ------------------------------------------------------------------ accounts

    def entries(self) -> list[tuple[str, str]]:
        """(key, name) of each account the account box lists; the storage in use if none."""
        box = self._host.destination_box.account_box
        listed = [(str(box.itemData(i)), box.itemText(i)) for i in range(box.count())]
        endpoint = self._host.endpoint
        if not listed and endpoint is not None:
            listed = [(self.current_key(), shown(endpoint.label))]
        return listed

    def current_key(self) -> str:
        chosen = self._host.destination_box.current_account()
        endpoint = self._host.endpoint
        return chosen or (endpoint.account_id if endpoint and endpoint.account_id else ENVIRONMENT)

    def reload(self) -> None:
        """The accounts were changed (their credentials perhaps): list the buckets again."""
        self._shown = None
        self._refresh_timer.start()  # once the account box has been filled again

    def refresh(self) -> None:
        """Show the accounts again after they or the one in use changed; those expanded stay
        so, their buckets listed again, and the cursor stays on its row."""
        entries, current = self.entries(), self.current_key()
        if self._shown == (entries, current):
            return
        self._shown = (entries, current)
        keys = self.model.account_keys()
        expanded = [k for k in keys if self._is_expanded(self.model.account_item(k))]
        groups = [k for k in keys if self._is_expanded(self.model.favourites_group(k))]
        cursor = self.tree.currentIndex()
        place = (cursor.data(ACCOUNT), cursor.data(KIND), cursor.data(BUCKET), cursor.data(PREFIX))
        self._generation += 1
        self.model.set_accounts(entries, current)
        for key, _ in entries:
            self._show_favourites(key)
        for key in groups:
            group = self.model.favourites_group(key)
            if group is not None:
                self.tree.expand(group.index())
        for key in expanded:
            item = self.model.account_item(key)
            if item is not None:
                self.tree.expand(item.index())
        self._put_cursor(*place)

    def _is_expanded(self, item: QStandardItem | None) -> bool:
        return item is not None and self.tree.isExpanded(item.index())

    def _put_cursor(self, key: object, kind: object, bucket: object, prefix: object) -> None:
        """Back on the row it was on before the tree was filled again; for a bucket, on its
        account until the buckets are listed again."""
        self._cursor_bucket = None
        account = self.model.account_item(str(key)) if key is not None else None
        if account is None:
            return
        found = self.model.find(str(key), str(kind), str(bucket or ""), str(prefix or ""))
        self.tree.setCurrentIndex(found if found.isValid() else account.index())
        if kind == BUCKET_ROW and not found.isValid():
            self._cursor_bucket = (str(key), str(bucket))

    def _expanded(self, index: QModelIndex) -> None:
        if index.data(KIND) == ACCOUNT_ROW and not index.data(LISTED):
            self.list_buckets(str(index.data(ACCOUNT)))

    def list_buckets(self, key: str) -> None:
        """List the account's buckets (again) off the UI thread."""
        lister = self._lister(key)
        if isinstance(lister, str):
            self.model.show_note(key, lister)
            self.bucketsListed.emit(key)
            return
        self.model.show_note(key, self.tr("Listing buckets…"), listed="asked")
        task = asyncio.ensure_future(self._list(key, lister, self._generation))
        self._listings.add(task)
        task.add_done_callback(self._listings.discard)

    def _lister(self, key: str) -> Lister | str:
        """What lists ``key``'s buckets, or why nothing can."""
        no_buckets = self.tr("This account uploads through your organisation's upload "
                             "service: it has no buckets to show.")  # fmt: skip
        if key == self.current_key():
            engine = self._host.engine
            if self._host.uses_upload_service:
                return no_buckets
            if engine is None:
                return self.tr("No storage is set up.")
            return lambda: list_bucket_names(engine.client)
        account = self._accounts.find(key) if self._accounts is not None else None
        if account is None or self._accounts is None:
            return self.tr("Switch to this account to see its buckets.")
        if account.kind is AccountKind.UPLOAD_SERVICE:
            return no_buckets
        store = self._accounts
        return lambda: list_bucket_names_at(store.endpoint(account))

    async def _list(self, key: str, lister: Lister, generation: int) -> None:
        try:
            names = await asyncio.get_running_loop().run_in_executor(None, lister)
        except Exception as exc:
            if shiboken6.isValid(self) and generation == self._generation:
                reason = _reason(exc)
                self.model.show_note(
                    key, self.tr("Could not list buckets: {reason}").format(reason=reason),
                    problem=True,
                )  # fmt: skip
                self.bucketsListed.emit(key)
            return
        if shiboken6.isValid(self) and generation == self._generation:
            self.model.show_buckets(key, names)
            account = self.model.account_item(key)
            if self._cursor_bucket is not None and self._cursor_bucket[0] == key and account:
                found = self.model.find(key, BUCKET_ROW, self._cursor_bucket[1], "")
                if found.isValid() and self.tree.currentIndex() == account.index():
                    self.tree.setCurrentIndex(found)  # the cursor has not moved since
                self._cursor_bucket = None
            self.bucketsListed.emit(key)

    # ------------------------------------------------------------------ opening

    def _activated(self, index: QModelIndex) -> None:
        kind = index.data(KIND)
        if kind == ACCOUNT_ROW:
            self.tree.setExpanded(index, not self.tree.isExpanded(index))
        elif kind in (BUCKET_ROW, FAVOURITE_ROW):
            self.open_place(str(index.data(ACCOUNT)), str(index.data(BUCKET)),
                            str(index.data(PREFIX)))  # fmt: skip

    def open_place(self, key: str, bucket: str, prefix: str) -> bool:
        """Show ``bucket``/``prefix`` of account ``key`` in Browse, switching to that
        account first; False when the switch did not happen (the status bar says why)."""
        host = self._host
        if key != self.current_key():
            before = host.engine
            self._choose_account(key)
            if host.engine is before:
                return False
            host.destination_box.show_account(key)
        # Showing Browse may open the destination first; the place opened replaces it.
        host.tabs.setCurrentWidget(host.browser)
        host.browser.open_location(bucket, prefix)
        return True

    # ------------------------------------------------------------------ favourites

    def _load_favourites(self) -> None:
        try:
            self.favourites.load()
            self._favourites_problem = ""
        except FavouritesFileError as exc:
            self._favourites_problem = self.tr("Favourites could not be read: {reason}").format(
                reason=exc
            )
            self._host.statusBar().showMessage(self._favourites_problem, 15000)

    def _show_favourites(self, key: str) -> None:
        self.model.show_favourites(key, self.favourites.favourites(key), self._favourites_problem)

    def add_browsed(self) -> None:
        """The place shown in Browse becomes a favourite of the account in use."""
        browser = self._host.browser
        if not browser.bucket:
            return
        favourite = Favourite(self.current_key(), browser.bucket, browser.prefix)
        place = f"s3://{favourite.place}"
        try:
            added = self.favourites.add(favourite)
        except FavouritesFileError as exc:
            self._say(self.tr("Not added to favourites: {reason}").format(reason=exc))
            return
        self._favourites_problem = ""  # the file was read again, and fine
        self._show_favourites(favourite.account)
        group = self.model.favourites_group(favourite.account)
        if group is not None:
            self.tree.expand(group.index())
        self._say(self.tr("Added {place} to favourites").format(place=place) if added
                  else self.tr("{place} is a favourite already").format(place=place))  # fmt: skip

    def remove_favourite(self, index: QModelIndex) -> None:
        favourite = PlacesModel.favourite_at(index)
        if favourite is None:
            return
        try:
            self.favourites.remove(favourite)
        except FavouritesFileError as exc:
            self._say(self.tr("Not removed from favourites: {reason}").format(reason=exc))
            return
        self._show_favourites(favourite.account)
        self._say(self.tr("Removed s3://{place} from favourites").format(place=favourite.place))

    def _renamed(self, item: QStandardItem) -> None:
        """A favourite was renamed in place (F2); an empty name shows the place again."""
        favourite = PlacesModel.favourite_at(item.index())
        if favourite is None or item.text() == item.data(LABEL):
            return
        name = "" if item.text().strip() == favourite.place else item.text()
        try:
            self.favourites.rename(favourite, name)
        except FavouritesFileError as exc:
            self._say(self.tr("Not renamed: {reason}").format(reason=exc))
        account = favourite.account
        QTimer.singleShot(0, self, lambda: self._show_favourites(account))  # not while editing

    def _say(self, message: str) -> None:
        self._host.statusBar().showMessage(message, 8000)

    # ------------------------------------------------------------------ context menu

    def context_menu(self, index: QModelIndex) -> QMenu:
        """What can be done with the row, each command with its key."""
        menu = QMenu(self)
        kind = index.data(KIND)

        def add(text: str, slot: Callable[[], object], key: QKeySequence | None = None) -> None:
            action = menu.addAction(text)
            action.triggered.connect(slot)
            if key is not None:
                action.setShortcut(key)
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # shown only
                action.setShortcutVisibleInContextMenu(True)

        if kind in (BUCKET_ROW, FAVOURITE_ROW):
            add(self.tr("&Open"), lambda: self._activated(index), QKeySequence("Return"))
        if kind == FAVOURITE_ROW:
            add(self.tr("Re&name"), lambda: self.tree.edit(index), QKeySequence("F2"))
            add(self.tr("&Remove from favourites"), lambda: self.remove_favourite(index),
                QKeySequence(QKeySequence.StandardKey.Delete))  # fmt: skip
        if kind == ACCOUNT_ROW:
            key = str(index.data(ACCOUNT))
            if key != self.current_key():
                add(self.tr("&Use this account"), lambda: self._choose_account(key))
            add(self.tr("&List buckets again"), lambda: self.list_buckets(key))
        if self._favourite_action is not None and self._favourite_action.isEnabled():
            menu.addSeparator()
            menu.addAction(self._favourite_action)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        if not index.isValid():
            return
        menu = self.context_menu(index)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.tree.viewport().mapToGlobal(pos))


def _reason(exc: BaseException) -> str:
    """Why a listing failed, in the core's words."""
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])  # the secret is not in the keyring: the store says so
    if isinstance(exc, SecretStoreError):
        return str(exc)
    return describe_error(exc)
