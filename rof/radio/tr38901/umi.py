"""Urban micro, street canyon (UMi) of 3GPP TR 38.901 V17.

Path loss (Table 7.4.1-1), d in m, fc in GHz:

* LOS: PL1 = 32.4 + 21 log10(d3D) + 20 log10(fc) for 10 m <= d2D <= d'BP, else
  PL2 = 32.4 + 40 log10(d3D) + 20 log10(fc) - 9.5 log10(d'BP^2 + (hBS - hUT)^2), with
  d'BP = 4 (hBS - 1)(hUT - 1) fc / c (hE = 1 m, note 1);
* NLOS: max(PL_LOS, 35.3 log10(d3D) + 22.4 + 21.3 log10(fc) - 0.3 (hUT - 1.5)).

LOS probability (Table 7.4.2-1), d = d2D-out: 1 for d <= 18 m, else
18/d + exp(-d/36)(1 - 18/d).

O2I (section 7.4.3.1, Table 7.4.3-2): low- and high-loss buildings, d2D-in the
minimum of two uniform draws on [0, 25] m. Layout (Table 7.2-1): ISD 200 m, hBS
10 m, outdoor UTs at 1.5 m, indoor UTs on floors 3 (n_fl - 1) + 1.5 m. Ricean K
factor of LOS links (Table 7.5-6): mean 9 dB. sigma_SF and validity ranges: the
UMi rows of ``tables/tr38901_table7.4.1-1_r17.csv``; decorrelation distances: the
UMi rows of ``tables/tr38901_table7.5-6_r17.csv``.
"""

from rof.radio.tr38901.model import LOS_STREET, PL_LOG_DISTANCE, Formulas, Tr38901Scenario

SCENARIO = Tr38901Scenario(
    name="UMi",
    formulas=Formulas(
        pathloss_form=PL_LOG_DISTANCE,
        los_a=32.4,
        los_b=21.0,
        los_c=20.0,
        breakpoint=True,
        h_e_m=1.0,
        bp_coef=9.5,
        nlos_a=22.4,
        nlos_b=35.3,
        nlos_c=21.3,
        nlos_e=0.3,
        los_form=LOS_STREET,
        los_d1_m=18.0,
        los_d2_m=36.0,
    ),
    o2i_d_in_max_m=25.0,
    o2i_high_loss=True,
    indoor_floor_heights=True,
    h_bs_m=10.0,
    h_ut_m=1.5,
    isd_m=200.0,
    rician_k_db=9.0,
)
