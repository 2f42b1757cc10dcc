"""Evaluation (效能评价): the reform's figures, measured from the event stream."""
