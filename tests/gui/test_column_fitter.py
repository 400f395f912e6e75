"""Fitting columns is safe for a table in a window held by nothing but a reference cycle (a
view made without a parent and dropped): the garbage collection that the model's data()
can start while the columns are measured does not delete the table under the measurement."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

# Run apart: before the fix, the fitting crashed the process it ran in.
ORPHAN_FITTED = textwrap.dedent('''
    import gc

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView, QVBoxLayout, QWidget

    from s3desk.ui.common.columns import ColumnFitter

    app = QApplication([])


    class Model(QStandardItemModel):
        """Collects garbage the first time a row is measured, as allocating may."""

        collect = False

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if Model.collect and role == Qt.ItemDataRole.SizeHintRole:
                Model.collect = False
                gc.collect()
            return super().data(index, role)


    class Orphan(QWidget):
        """A view as History's: its model and table inside, and a reference to itself."""

        def __init__(self):
            super().__init__()
            self.model = Model(3, 2, self)
            for row in range(3):
                self.model.setItem(row, 0, QStandardItem("a long enough name " * 3))
            self.table = QTableView()
            self.table.setModel(self.model)
            QVBoxLayout(self).addWidget(self.table)
            self.fitter = ColumnFitter(self.table, [0, 1], share=0.5)
            self.again = self.update  # the cycle: only the collector frees it


    def drop_an_orphan_with_a_fitting_due():
        orphan = Orphan()
        fitted = []
        header = orphan.table.horizontalHeader()
        header.sectionResized.connect(lambda column, _old, new: fitted.append((column, new)))
        orphan.model.layoutChanged.emit()  # the rows moved: the columns are fitted anew
        return fitted


    gc.disable()  # only the collection the model starts
    fitted = drop_an_orphan_with_a_fitting_due()
    Model.collect = True
    while not fitted:
        app.processEvents()
    print("fitted")
    gc.collect()
    print("freed", sum(isinstance(o, Orphan) for o in gc.get_objects()) == 0)
''')


def test_an_orphan_view_collected_while_its_columns_are_measured() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", ORPHAN_FITTED], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["fitted", "freed", "True"]
