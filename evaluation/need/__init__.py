"""Housing-need monitoring: ETHOS stock and flows, stock-flow projection of flats and support
places, and segregation indices for where programme flats are placed.

Example
-------
>>> from evaluation.need import StockFlowModel
>>> StockFlowModel(horizon=4).project(stock=100, inflow=10, exit_rate=0.1).tidy().shape[0]
5
"""

from evaluation.need.flows import NeedFlows, need_flows
from evaluation.need.segregation import (
                                         ExcludedLocalityShare,
                                         SegregationResult,
                                         excluded_locality_share,
                                         flat_segregation,
                                         segregation_indices,
)
from evaluation.need.stock_flow import StockFlowModel, StockFlowProjection

__all__ = ["ExcludedLocalityShare", "NeedFlows", "SegregationResult", "StockFlowModel", "StockFlowProjection",
           "excluded_locality_share", "flat_segregation", "need_flows", "segregation_indices"]
