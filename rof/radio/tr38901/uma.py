"""Urban macro (UMa) of 3GPP TR 38.901 V17.

Path loss (Table 7.4.1-1), d in m, fc in GHz:

* LOS: PL1 = 28.0 + 22 log10(d3D) + 20 log10(fc) for 10 m <= d2D <= d'BP, else
  PL2 = 28.0 + 40 log10(d3D) + 20 log10(fc) - 9 log10(d'BP^2 + (hBS - hUT)^2), with
  d'BP = 4 (hBS - hE)(hUT - hE) fc / c and hE of note 1 (its expected value by
  default, :func:`rof.radio.pathloss.uma_effective_height_m`);
* NLOS: max(PL_LOS, 13.54 + 39.08 log10(d3D) + 20 log10(fc) - 0.6 (hUT - 1.5)).

LOS probability (Table 7.4.2-1), d = d2D-out: 1 for d <= 18 m, else
[18/d + exp(-d/63)(1 - 18/d)] [1 + C'(hUT) 5/4 (d/100)^3 exp(-d/150)],
C'(hUT) = ((hUT - 13)/10)^1.5 above 13 m and 0 below.

O2I (section 7.4.3.1, Table 7.4.3-2): low- and high-loss buildings, d2D-in the
minimum of two uniform draws on [0, 25] m. Layout (Table 7.2-1): ISD 500 m, hBS
25 m, outdoor UTs at 1.5 m, indoor UTs on floors 3 (n_fl - 1) + 1.5 m. Ricean K
factor of LOS links (Table 7.5-6): mean 9 dB. sigma_SF and validity ranges: the
UMa rows of ``tables/tr38901_table7.4.1-1_r17.csv``; decorrelation distances: the
UMa rows of ``tables/tr38901_table7.5-6_r17.csv``.
"""

from rof.radio.tr38901.model import LOS_STREET, PL_LOG_DISTANCE, Formulas, Tr38901Scenario

SCENARIO = Tr38901Scenario(
    name="UMa",
    formulas=Formulas(
        pathloss_form=PL_LOG_DISTANCE,
        los_a=28.0,
        los_b=22.0,
        los_c=20.0,
        breakpoint=True,
        h_e_uma=True,
        bp_coef=9.0,
        nlos_a=13.54,
        nlos_b=39.08,
        nlos_c=20.0,
        nlos_e=0.6,
        los_form=LOS_STREET,
        los_d1_m=18.0,
        los_d2_m=63.0,
        los_h_ut_factor=True,
    ),
    o2i_d_in_max_m=25.0,
    o2i_high_loss=True,
    indoor_floor_heights=True,
    h_bs_m=25.0,
    h_ut_m=1.5,
    isd_m=500.0,
    rician_k_db=9.0,
)
