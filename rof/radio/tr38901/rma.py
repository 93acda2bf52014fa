"""Rural macro (RMa) of 3GPP TR 38.901 V17.

Path loss (Table 7.4.1-1), d in m, fc in GHz, building height h and street width W
(defaults 5 m and 20 m), d_BP = 2 pi hBS hUT fc / c (note 5):

* LOS: PL1 = 20 log10(40 pi d3D fc / 3) + min(0.03 h^1.72, 10) log10(d3D)
  - min(0.044 h^1.72, 14.77) + 0.002 log10(h) d3D for d2D <= d_BP, else
  PL2 = PL1(d_BP) + 40 log10(d3D / d_BP);
* NLOS: max(PL_LOS, 161.04 - 7.1 log10(W) + 7.5 log10(h) - (24.37 - 3.7 (h/hBS)^2)
  log10(hBS) + (43.42 - 3.1 log10(hBS)) (log10(d3D) - 3) + 20 log10(fc)
  - (3.2 (log10(11.75 hUT))^2 - 4.97)).

LOS probability (Table 7.4.2-1), d = d2D-out: 1 for d <= 10 m, else
exp(-(d - 10)/1000).

O2I (section 7.4.3.1): the low-loss model only, d2D-in the minimum of two uniform
draws on [0, 10] m. Layout (Table 7.2-1): ISD 1732 m, hBS 35 m, UTs at 1.5 m,
indoor ones too (single-storey buildings). Ricean K factor of LOS links (Table
7.5-6): mean 7 dB. sigma_SF (4 dB before and 6 dB after the breakpoint in LOS) and
validity ranges: the RMa rows of ``tables/tr38901_table7.4.1-1_r17.csv``;
decorrelation distances: the RMa rows of ``tables/tr38901_table7.5-6_r17.csv``.
"""

from rof.radio.tr38901.model import LOS_EXPONENTIAL, PL_RMA, Formulas, Tr38901Scenario

SCENARIO = Tr38901Scenario(
    name="RMa",
    formulas=Formulas(
        pathloss_form=PL_RMA,
        los_form=LOS_EXPONENTIAL,
        los_d1_m=10.0,
        los_d2_m=1000.0,
    ),
    o2i_d_in_max_m=10.0,
    o2i_high_loss=False,
    indoor_floor_heights=False,
    h_bs_m=35.0,
    h_ut_m=1.5,
    isd_m=1732.0,
    rician_k_db=7.0,
)
